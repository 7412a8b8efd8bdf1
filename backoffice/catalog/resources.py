"""Products to and from xlsx/csv, with Spanish headers."""

from django.utils.translation import gettext as _
from import_export import fields, widgets

from backoffice.inventory.models import StockLevel, StockMove
from backoffice.inventory.services import MoveInput, stock_initial_load
from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    BulkTenantResource,
    ChoiceLabelWidget,
    DecimalTextWidget,
    MoneyWidget,
    SiNoWidget,
    cell_text,
    normalise,
)
from backoffice.tenancy.models import Establishment
from core.bulk import insert_rows
from core.taxes import RATES, TaxCategory

from .models import Category, Product
from .services import price_as_entered, price_net

PRICE = "Precio"
INITIAL_STOCK = "Stock inicial"
BRANCH = "Local"


def _kept_when_blank(attribute: str, column: str, widget) -> fields.Field:
    """A column whose blank cell keeps the current (or default) value."""
    return fields.Field(
        attribute=attribute,
        saves_null_values=False,
        column_name=column,
        widget=widget,
    )


class PriceField(fields.Field):
    """The price as the owner types it (with or without IVA), in both ways.

    It has no model attribute: the resource turns the typed price into the
    stored one. Reading it back through the field (not a dehydrate method)
    also fills the import preview's Precio column.
    """

    def __init__(self, **kwargs):
        super().__init__(column_name=PRICE, widget=MoneyWidget(), **kwargs)

    def get_value(self, instance):
        if getattr(instance, "price", None) is None or not instance.tax_category:
            return None
        return price_as_entered(product=instance)


class TaxWidget(widgets.Widget):
    """IVA by SRI code (4), label ("IVA 15 %", "exento") or percentage (15, 15 %).

    A bare number is an SRI code when it is a current code (0, 4, 5, 6, 7, 8)
    and a percentage otherwise, so '15' means IVA 15 %; with a '%' sign it is
    always a percentage. Historical rates (12 %, 14 %) are refused.
    """

    PERCENT = {"0": TaxCategory.IVA_0, "5": TaxCategory.IVA_5, "15": TaxCategory.IVA_15}

    def __init__(self):
        super().__init__()
        self.names = {"exento": TaxCategory.EXENTO, "no objeto": TaxCategory.NO_OBJETO}
        for code, label in TaxCategory.choices:
            if RATES[code].current:
                self.names[normalise(code)] = code
                self.names[normalise(label)] = code

    def clean(self, value, row=None, **kwargs):
        text = normalise(cell_text(value))
        if text == "":
            return None  # blank: the business default (new) or unchanged
        if text in self.names:
            return self.names[text]
        number = text.removeprefix("iva").replace("%", "").strip()
        if number.endswith(".0"):
            number = number[:-2]
        if number in self.PERCENT and (
            "%" in text or text.startswith("iva") or number not in self.names
        ):
            return self.PERCENT[number]
        raise ValueError(_("IVA desconocido: %(v)s") % {"v": value})

    def render(self, value, obj=None, **kwargs):
        return str(TaxCategory(value).label) if value else ""


class CategoryByNameWidget(widgets.Widget):
    """A category by its name, from the resource's prefetched (and new) ones."""

    def __init__(self, resource):
        super().__init__()
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        name = cell_text(value)
        if not name:
            return None
        return self.resource.categories[normalise(name)]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class ProductResource(BulkTenantResource):
    code = fields.Field(
        attribute="code", column_name="Código", widget=widgets.CharWidget()
    )
    barcode = fields.Field(
        attribute="barcode", column_name="Código de barras", widget=widgets.CharWidget()
    )
    name = fields.Field(
        attribute="name", column_name="Nombre", widget=widgets.CharWidget()
    )
    category = fields.Field(attribute="category", column_name="Categoría")
    price_entered = PriceField()
    price_includes_tax = _kept_when_blank(
        "price_includes_tax", "Precio incluye IVA", SiNoWidget()
    )
    tax_category = _kept_when_blank("tax_category", "IVA", TaxWidget())
    cost = _kept_when_blank("cost", "Costo", MoneyWidget())
    unit = _kept_when_blank(
        "unit", "Unidad", ChoiceLabelWidget(Product.Unit, {"u": "unit", "litros": "l"})
    )
    track_stock = _kept_when_blank("track_stock", "Controlar stock", SiNoWidget())
    low_stock_threshold = _kept_when_blank(
        "low_stock_threshold", "Stock mínimo", DecimalTextWidget()
    )
    is_active = _kept_when_blank("is_active", "Activo", SiNoWidget())

    # Categories come from the prefetched map: no per-row existence query.
    clean_exclude = ["category"]
    update_fields = [
        "barcode",
        "name",
        "category",
        "price",
        "price_includes_tax",
        "tax_category",
        "cost",
        "unit",
        "track_stock",
        "low_stock_threshold",
        "is_active",
    ]

    class Meta(BulkTenantResource.Meta):
        model = Product
        name = "Productos"
        import_id_fields = ["code"]
        fields = [
            "code",
            "barcode",
            "name",
            "category",
            "price_entered",
            "price_includes_tax",
            "tax_category",
            "cost",
            "unit",
            "track_stock",
            "low_stock_threshold",
            "is_active",
        ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["category"].widget = CategoryByNameWidget(self)

    def get_queryset(self):
        return super().get_queryset().select_related("category").order_by("code")

    # -- prefetch ---------------------------------------------------------------
    def key_of(self, row) -> str:
        return cell_text(row.get("Código"))

    def prefetch(self, dataset) -> None:
        business = require_business()
        self.business = business
        self.existing = {p.code: p for p in Product.objects.for_business(business)}
        self.barcodes = {p.barcode: p.code for p in self.existing.values() if p.barcode}
        self.categories = self._categories(dataset, business)
        self.branches = {
            e.code: e for e in Establishment.objects.for_business(business)
        }
        self.default_branch = min(
            self.branches.values(), key=lambda e: e.code, default=None
        )
        self.stocked = set(
            StockLevel.objects.for_business(business).values_list(
                "product_id", "establishment_id"
            )
        )
        self.initial_stock = []

    def _categories(self, dataset, business) -> dict:
        known = {normalise(c.name): c for c in Category.objects.for_business(business)}
        if "Categoría" not in (dataset.headers or []):
            return known
        new = {}
        for value in dataset["Categoría"]:
            name = cell_text(value)
            if name and normalise(name) not in known and normalise(name) not in new:
                new[normalise(name)] = Category(business=business, name=name[:120])
        if new:
            insert_rows(
                Category,
                list(new.values()),
                history={"user": self.user, "reason": self.change_reason},
            )
        return known | new

    # -- one row ---------------------------------------------------------------
    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.price_includes_tax = self.business.prices_include_tax
            instance.tax_category = self.business.default_tax

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except Exception as e:  # noqa: BLE001 - collected with the price error below
            errors = getattr(e, "error_dict", {"__all__": [str(e)]})
        self._import_price(instance, row, errors)
        self._collect_initial_stock(instance, row, errors)
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)

    def _import_price(self, instance, row, errors) -> None:
        if PRICE not in row or cell_text(row[PRICE]) == "":
            if instance.pk is None:
                errors.setdefault("price", []).append(_("Precio requerido."))
            return
        try:
            entered = DecimalTextWidget(required=True).clean(row[PRICE])
        except ValueError as e:
            errors.setdefault("price", []).append(str(e))
            return
        if entered < 0:
            errors.setdefault("price", []).append(_("El precio no puede ser negativo."))
            return
        if "tax_category" in errors:
            return
        instance.price = price_net(
            amount=entered,
            includes_tax=instance.price_includes_tax,
            tax_category=instance.tax_category,
        )

    def _collect_initial_stock(self, instance, row, errors) -> None:
        raw = cell_text(row.get(INITIAL_STOCK))
        if raw == "":
            return
        try:
            quantity = DecimalTextWidget(required=True).clean(raw)
        except ValueError as e:
            errors.setdefault(INITIAL_STOCK, []).append(str(e))
            return
        branch_code = (
            cell_text(row.get(BRANCH)).zfill(3) if cell_text(row.get(BRANCH)) else None
        )
        branch = self.branches.get(branch_code) if branch_code else self.default_branch
        if branch is None:
            errors.setdefault(BRANCH, []).append(
                _("Local desconocido: %(v)s") % {"v": row.get(BRANCH)}
            )
            return
        if quantity < 0:
            errors.setdefault(INITIAL_STOCK, []).append(
                _("El stock inicial no puede ser negativo.")
            )
        elif instance.pk and (instance.pk, branch.pk) in self.stocked and quantity:
            errors.setdefault(INITIAL_STOCK, []).append(
                _("El producto ya tiene stock en este local: use un conteo físico.")
            )
        elif quantity:
            self.initial_stock.append((instance, branch, quantity))

    def unknown_fields(self, instance, errors) -> list[str]:
        # e.g. a bad IVA leaves the price uncomputed: report the IVA only.
        return ["price"] if errors and instance.price is None else []

    def row_rules(self, instance) -> dict[str, str]:
        rules = {}
        if message := self.unique_in_file("code", instance.code, self.row_number):
            rules["code"] = _("Código duplicado: ") + message
        if instance.barcode:
            owner = self.barcodes.get(instance.barcode)
            if owner is not None and owner != instance.code:
                rules["barcode"] = _(
                    "Código de barras %(b)s ya usado por el producto %(c)s."
                ) % {"b": instance.barcode, "c": owner}
            elif message := self.unique_in_file(
                "barcode", instance.barcode, self.row_number
            ):
                rules["barcode"] = _("Código de barras duplicado: ") + message
        return rules

    # -- after the rows ----------------------------------------------------------
    def after_import(self, dataset, result, **kwargs):
        if result.has_errors() or result.has_validation_errors():
            return
        moves = [
            MoveInput(
                product_id=product.pk,
                establishment_id=branch.pk,
                quantity=quantity,
                reason=StockMove.Reason.INITIAL,
                reference=_("importación"),
            )
            for product, branch, quantity in self.initial_stock
        ]
        stock_initial_load(business=self.business, moves=moves, user=self.user)


class CategoryResource(BulkTenantResource):
    name = fields.Field(
        attribute="name", column_name="Nombre", widget=widgets.CharWidget()
    )
    color = fields.Field(
        attribute="color",
        column_name="Color",
        widget=widgets.CharWidget(),
        saves_null_values=False,
    )
    icon = fields.Field(
        attribute="icon", column_name="Icono", widget=widgets.CharWidget()
    )
    sort_order = fields.Field(
        attribute="sort_order",
        column_name="Orden",
        widget=DecimalTextWidget(places=0),
        saves_null_values=False,
    )
    is_active = fields.Field(
        attribute="is_active",
        column_name="Activa",
        widget=SiNoWidget(),
        saves_null_values=False,
    )

    update_fields = ["color", "icon", "sort_order", "is_active"]

    class Meta(BulkTenantResource.Meta):
        model = Category
        name = "Categorías"
        import_id_fields = ["name"]
        fields = ["name", "color", "icon", "sort_order", "is_active"]

    def get_queryset(self):
        return super().get_queryset().order_by("sort_order", "name")

    def key_of(self, row) -> str:
        return cell_text(row.get("Nombre"))

    def prefetch(self, dataset) -> None:
        self.existing = {
            c.name: c for c in Category.objects.for_business(require_business())
        }

    def before_save_instance(self, instance, row, **kwargs):
        if instance.color == "":
            instance.color = Category._meta.get_field("color").default
        super().before_save_instance(instance, row, **kwargs)

    def row_rules(self, instance) -> dict[str, str]:
        if message := self.unique_in_file("name", instance.name, self.row_number):
            return {"name": _("Categoría duplicada: ") + message}
        return {}
