from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backoffice.display import money_text, quantity_text
from backoffice.inventory.filters import LowStockFilter
from backoffice.inventory.selectors import product_annotate_stock
from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import (
    TenantAdmin,
    TenantImportExportAdmin,
    TenantTabularInline,
)
from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    SPREADSHEET_FORMATS,
    SpreadsheetExportMixin,
    SpreadsheetImportMixin,
)
from backoffice.tenancy.modelforms import TenantModelForm

from . import services
from .forms import ProductActionForm, ProductForm
from .models import (
    Category,
    ModifierGroup,
    ModifierGroupProduct,
    ModifierOption,
    Product,
)
from .resources import CategoryResource, ProductResource

PRICE_PREVIEW_ROWS = 50


def price_typed_text(price, record) -> str:
    """A stored net price as the owner typed it, per the row's IVA settings."""
    product = Product(
        price=price,
        price_includes_tax=record.price_includes_tax,
        tax_category=record.tax_category,
    )
    suffix = _("con IVA") if record.price_includes_tax else _("sin IVA")
    return f"{money_text(services.price_as_entered(product=product))} {suffix}"


class CatalogAdminMixin:
    """Cashiers and accountants look the catalog up; owners and managers change it."""

    view_roles = roles.BACK_OFFICE
    change_roles = roles.MANAGERS


@admin.register(Category)
class CategoryAdmin(
    CatalogAdminMixin,
    SpreadsheetImportMixin,
    SpreadsheetExportMixin,
    TenantImportExportAdmin,
):
    form = TenantModelForm
    resource_classes = [CategoryResource]
    skip_admin_log = True
    formats = SPREADSHEET_FORMATS
    list_display = [
        "name",
        "display_color",
        "sort_order",
        "display_products",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("color"))
    def display_color(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1.25rem;height:1.25rem;'
            'border-radius:4px;background:{}"></span>',
            obj.color,
        )

    @admin.display(description=_("productos"), ordering="product_count")
    def display_products(self, obj):
        return obj.product_count


class ModifierOptionInline(CatalogAdminMixin, TenantTabularInline):
    model = ModifierOption
    form = TenantModelForm
    fields = ["name", "price_delta", "sort_order", "is_active"]
    extra = 0


class ModifierGroupProductInline(CatalogAdminMixin, TenantTabularInline):
    """The group's products (link rows carry the business, so RLS covers them)."""

    model = ModifierGroupProduct
    form = TenantModelForm
    fk_name = "modifiergroup"
    fields = ["product"]
    autocomplete_fields = ["product"]
    extra = 0
    verbose_name = _("producto")
    verbose_name_plural = _("productos")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("modifiergroup", "product")


@admin.register(ModifierGroup)
class ModifierGroupAdmin(CatalogAdminMixin, TenantAdmin):
    form = TenantModelForm
    list_display = ["name", "min_choices", "max_choices", "display_options"]
    search_fields = ["name"]
    inlines = [ModifierOptionInline, ModifierGroupProductInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(option_count=Count("options"))

    @admin.display(description=_("opciones"), ordering="option_count")
    def display_options(self, obj):
        return obj.option_count


class ProductModifierInline(CatalogAdminMixin, TenantTabularInline):
    """The product's modifier groups (the M2M rows, scoped through the product)."""

    model = ModifierGroupProduct
    fk_name = "product"
    extra = 0
    verbose_name = _("grupo de modificadores")
    verbose_name_plural = _("modificadores")

    def get_queryset(self, request):
        business = self._business(request)
        qs = self.model.objects.select_related("modifiergroup", "product")
        return qs.filter(product__business=business) if business else qs.none()


@admin.register(Product)
class ProductAdmin(
    CatalogAdminMixin,
    SpreadsheetImportMixin,
    SpreadsheetExportMixin,
    TenantImportExportAdmin,
):
    form = ProductForm
    action_form = ProductActionForm
    resource_classes = [ProductResource]
    skip_admin_log = True
    formats = SPREADSHEET_FORMATS  # simple-history records every imported row
    list_display = [
        "display_image",
        "code",
        "name",
        "category",
        "display_price",
        "tax_category",
        "display_stock",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    list_select_related = ["category"]
    list_filter = ["category", "tax_category", "is_active", LowStockFilter]
    search_fields = ["name", "code", "barcode"]
    list_per_page = 50
    inlines = [ProductModifierInline]
    actions = ["activate", "deactivate", "set_category", "change_price"]
    readonly_fields = ["display_thumbnail"]
    history_formats = {
        "price": price_typed_text,
        "low_stock_threshold": lambda value, row: quantity_text(value, row.unit),
    }
    history_labels = {"price": _("precio")}
    fieldsets = [
        (None, {"fields": ["code", "barcode", "name", "category", "unit"]}),
        (
            _("Precio e impuestos"),
            {"fields": ["price_entered", "price_includes_tax", "tax_category", "cost"]},
        ),
        (
            _("Inventario"),
            {"fields": ["track_stock", "low_stock_threshold", "is_active"]},
        ),
        (_("Imagen"), {"fields": ["image", "display_thumbnail"]}),
    ]

    def get_queryset(self, request):
        return product_annotate_stock(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        services.product_save(business=require_business(), product=obj)

    @admin.display(description=_("imagen"))
    def display_image(self, obj):
        if not obj.thumbnail:
            return ""
        return format_html(
            '<img src="{}" alt="" style="height:40px;width:40px;object-fit:cover;'
            'border-radius:6px">',
            obj.thumbnail.url,
        )

    @admin.display(description=_("miniatura"))
    def display_thumbnail(self, obj):
        if not obj or not obj.thumbnail:
            return "-"
        return format_html(
            '<img src="{}" alt="" style="max-height:160px">', obj.thumbnail.url
        )

    @admin.display(description=_("precio"), ordering="price")
    def display_price(self, obj):
        suffix = _("con IVA") if obj.price_includes_tax else _("sin IVA")
        return f"{money_text(services.price_as_entered(product=obj))} {suffix}"

    @admin.display(description=_("stock"), ordering="stock_total")
    def display_stock(self, obj):
        if not obj.track_stock:
            return "—"
        text = quantity_text(obj.stock_total, obj.unit)
        if obj.has_low_level:
            return format_html('<span style="color:#b91c1c">{} ⚠</span>', text)
        return text

    # -- bulk actions (POST from the changelist; services do the work) ---------
    def _ids(self, queryset):
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description=_("Activar"), permissions=["change"])
    def activate(self, request, queryset):
        n = services.product_bulk_set_active(
            business=require_business(),
            product_ids=self._ids(queryset),
            active=True,
            user=request.user,
        )
        self.message_user(request, _("%(n)s productos activados.") % {"n": n})

    @admin.action(description=_("Desactivar"), permissions=["change"])
    def deactivate(self, request, queryset):
        n = services.product_bulk_set_active(
            business=require_business(),
            product_ids=self._ids(queryset),
            active=False,
            user=request.user,
        )
        self.message_user(request, _("%(n)s productos desactivados.") % {"n": n})

    @admin.action(description=_("Cambiar categoría"), permissions=["change"])
    def set_category(self, request, queryset):
        business = require_business()
        category = None
        if pk := request.POST.get("category"):
            category = Category.objects.for_business(business).filter(pk=pk).first()
            if category is None:
                self.message_user(request, _("Categoría inválida."), messages.ERROR)
                return
        n = services.product_bulk_set_category(
            business=business,
            product_ids=self._ids(queryset),
            category=category,
            user=request.user,
        )
        self.message_user(
            request, _("%(n)s productos cambiados de categoría.") % {"n": n}
        )

    @admin.action(description=_("Cambiar precio en %%"), permissions=["change"])
    def change_price(self, request, queryset):
        field = forms.DecimalField(max_digits=7, decimal_places=2)
        try:
            percent = field.clean(request.POST.get("percent"))
            if percent <= -100:
                raise ValidationError(_("El porcentaje debe ser mayor que -100."))
            if request.POST.get("post") != "yes":
                return self._price_change_confirm(request, queryset, percent)
            n = services.product_bulk_change_price(
                business=require_business(),
                product_ids=self._ids(queryset),
                percent=percent,
                user=request.user,
            )
        except ValidationError as e:
            self.message_user(request, " ".join(e.messages), messages.ERROR)
            return
        self.message_user(request, _("Precio cambiado en %(n)s productos.") % {"n": n})

    def _price_change_confirm(self, request, queryset, percent):
        """Show old and new prices before anything is written (POST to confirm)."""
        ids = self._ids(queryset)
        preview = []
        for product in queryset.order_by("code")[:PRICE_PREVIEW_ROWS]:
            changed = Product(
                price=services.price_after_change(product=product, percent=percent),
                price_includes_tax=product.price_includes_tax,
                tax_category=product.tax_category,
            )
            preview.append(
                {
                    "code": product.code,
                    "name": product.name,
                    "old": services.price_as_entered(product=product),
                    "new": services.price_as_entered(product=changed),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cambiar precios"),
            "opts": self.opts,
            "ids": ids,
            "count": len(ids),
            "more": max(0, len(ids) - PRICE_PREVIEW_ROWS),
            "percent": percent,
            "preview": preview,
        }
        return TemplateResponse(
            request, "catalog/admin/price_change_confirm.html", context
        )
