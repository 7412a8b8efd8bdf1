"""The back office sidebar, grouped by the owner's tasks.

Entries name models ("app_label.model") or URL names; an entry appears only
when its admin is registered and the user's role may view it, so apps can be
added without touching the layout code. A URL entry names the roles that may
use its page (a page that opens but refuses the role is not offered).
"""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy import roles
from backoffice.tenancy.roles import SELLERS
from pos.restaurant.api import FLOOR

GROUPS = [
    (
        _("Ventas"),
        [
            ("pos.sale", "receipt_long"),
            ("pos.void", "block"),
            ("pos.salereturn", "undo"),
            ("pos.order", "shopping_cart"),
            ("url:pos:page", "point_of_sale", _("Abrir POS"), SELLERS),
            (
                "url:admin:supervisor_pin",
                "password",
                _("Mi PIN de supervisor"),
                roles.MANAGERS,
            ),
        ],
    ),
    (
        _("Restaurante"),
        [
            ("url:restaurant:floor", "table_restaurant", _("Mesas"), FLOOR),
            ("restaurant.area", "floor"),
            ("restaurant.table", "table_bar"),
            ("restaurant.station", "soup_kitchen"),
            ("restaurant.order", "room_service"),
            ("restaurant.restaurantsettings", "settings"),
        ],
    ),
    (
        _("Catálogo"),
        [
            ("catalog.product", "inventory_2"),
            ("catalog.category", "category"),
            ("catalog.modifiergroup", "tune"),
        ],
    ),
    (
        _("Inventario"),
        [
            ("inventory.stocklevel", "warehouse"),
            ("inventory.stockmove", "swap_vert"),
            ("inventory.stockcount", "fact_check"),
            ("inventory.stockreceipt", "local_shipping"),
            ("inventory.stockadjustment", "tune"),
            ("inventory.stocktransfer", "move_up"),
        ],
    ),
    (
        _("Clientes"),
        [
            ("customers.customer", "group"),
        ],
    ),
    (
        _("Caja"),
        [
            ("pos.cashsession", "payments"),
            ("pos.cashmovement", "currency_exchange"),
        ],
    ),
    (
        _("Facturación SRI"),
        [
            ("fiscal.electronicdocument", "description"),
            ("fiscal.signingcertificate", "key"),
            ("fiscal.documentsequence", "pin"),
        ],
    ),
    (
        _("Reportes"),
        [
            ("url:reports:index", "monitoring", _("Reportes"), roles.READERS),
            (
                "url:closing:month",
                "event_available",
                _("Cierre del mes"),
                roles.READERS,
            ),
        ],
    ),
    (
        _("Configuración"),
        [
            ("tenancy.business", "storefront"),
            ("tenancy.establishment", "store"),
            ("tenancy.emissionpoint", "print"),
            ("tenancy.membership", "badge"),
            ("auth.user", "person"),
            ("django_tasks_database.dbtaskresult", "schedule"),
        ],
    ),
]


def _model_item(request, label, icon):
    app_label, model_name = label.split(".")
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if (meta.app_label, meta.model_name) != (app_label, model_name):
            continue
        if not model_admin.has_view_or_change_permission(request):
            return None
        return {
            "title": meta.verbose_name_plural.capitalize(),
            "icon": icon,
            "link": reverse(f"admin:{app_label}_{model_name}_changelist"),
        }
    return None


def _url_item(request, name, icon, title, allowed):
    if not roles.has_role(request, allowed):
        return None
    try:
        return {"title": title, "icon": icon, "link": reverse(name)}
    except NoReverseMatch:
        return None


# Where a registered model that GROUPS does not name goes, by app label, so an
# app's new admin is reachable from the sidebar without editing this file.
APP_GROUPS = {
    "pos": _("Ventas"),
    "restaurant": _("Restaurante"),
    "catalog": _("Catálogo"),
    "inventory": _("Inventario"),
    "customers": _("Clientes"),
    "fiscal": _("Facturación SRI"),
    "reports": _("Reportes"),
}
OTHER = _("Configuración")
DEFAULT_ICON = "table_rows"


def _entries():
    """GROUPS plus every registered model it does not name, in its app's group."""
    named = {e[0] for _title, entries in GROUPS for e in entries}
    extra: dict[str, list] = {}
    for model in admin.site._registry:
        label = model._meta.label_lower
        if label not in named:
            group = APP_GROUPS.get(model._meta.app_label, OTHER)
            extra.setdefault(str(group), []).append((label, DEFAULT_ICON))
    return [
        (title, list(entries) + sorted(extra.get(str(title), [])))
        for title, entries in GROUPS
    ]


RESTAURANT_ONLY = ("restaurant.", "url:restaurant:")


def sidebar(request):
    groups = []
    business = getattr(request, "business", None)
    retail = business is not None and business.mode == business.Mode.RETAIL
    for title, entries in _entries():
        items = []
        for entry in entries:
            if retail and entry[0].startswith(RESTAURANT_ONLY):
                continue  # a shop has no floor
            if entry[0].startswith("url:"):
                item = _url_item(request, entry[0][4:], *entry[1:])
            else:
                item = _model_item(request, entry[0], entry[1])
            if item:
                items.append(item)
        if items:
            groups.append({"title": title, "separator": True, "items": items})
    return groups
