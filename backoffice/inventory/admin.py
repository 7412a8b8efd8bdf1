from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportMixin
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from backoffice.catalog.models import Product
from backoffice.display import money_text, quantity_text
from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import (
    ReadOnlyTenantAdmin,
    TenantAdmin,
    TenantTabularInline,
)
from backoffice.tenancy.admin_lists import LargeListMixin, date_range, text_matches
from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    SPREADSHEET_FORMATS,
    SpreadsheetExportMixin,
    SpreadsheetImportMixin,
)
from backoffice.tenancy.modelforms import TenantModelForm
from core.errors import SouthernPOSError

from . import services
from .filters import LowStockFilter
from .models import (
    StockAdjustment,
    StockCount,
    StockDocumentLine,
    StockLevel,
    StockMove,
    StockReceipt,
    StockTransfer,
)
from .resources import StockCountLineResource, StockLevelResource, StockMoveResource


class TenantExportMixin(SpreadsheetExportMixin, ExportMixin):
    export_form_class = ExportForm
    formats = SPREADSHEET_FORMATS

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(StockLevel)
class StockLevelAdmin(TenantExportMixin, ReadOnlyTenantAdmin):
    view_roles = roles.BACK_OFFICE
    resource_classes = [StockLevelResource]
    list_display = [
        "establishment",
        "display_code",
        "product",
        "display_quantity",
        "display_threshold",
    ]
    list_select_related = ["product", "product__category", "establishment"]
    list_filter = ["establishment", LowStockFilter]
    search_fields = ["product__name", "product__code", "product__barcode"]

    @admin.display(description=_("código"), ordering="product__code")
    def display_code(self, obj):
        return obj.product.code

    @admin.display(description=_("cantidad"), ordering="quantity")
    def display_quantity(self, obj):
        return quantity_text(obj.quantity, obj.product.unit)

    @admin.display(description=_("stock mínimo"))
    def display_threshold(self, obj):
        return quantity_text(obj.product.low_stock_threshold, obj.product.unit)


@admin.register(StockMove)
class StockMoveAdmin(LargeListMixin, TenantExportMixin, ReadOnlyTenantAdmin):
    resource_classes = [StockMoveResource]
    list_display = [
        "created_at",
        "establishment",
        "product",
        "display_quantity",
        "reason",
        "reference",
        "supplier",
        "user",
    ]
    # The page's 50 moves are read alone, on the (business, created_at) index,
    # then their products, establishments and users by id (3 queries, however
    # many rows). Joined in, with 50 businesses' products in the tables,
    # PostgreSQL walked every move of every product first: 2.2 s (issue 16).
    list_select_related = ()
    list_filter = [date_range("created_at"), "reason", "establishment"]
    search_fields = ["product__name", "product__code", "reference", "supplier"]
    search_help_text = _(
        "Producto (nombre, código o código de barras), o la referencia exacta"
    )
    fields = [
        "created_at",
        "establishment",
        "product",
        "display_quantity",
        "reason",
        "reference",
        "note",
        "supplier",
        "display_unit_cost",
        "user",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("product", "establishment", "user")
        )

    def get_search_results(self, request, queryset, search_term):
        """Products are matched first (a small table), then their moves on an
        index; a reference (a sale or receiving number) exactly."""
        if not search_term.strip():
            return queryset, False
        products = text_matches(
            Product.objects.for_business(request.business),
            search_term,
            ["name", "code", "barcode"],
        )
        term = search_term.strip()
        return queryset.filter(Q(product_id__in=products) | Q(reference=term)), False

    @admin.display(description=_("cantidad"), ordering="quantity")
    def display_quantity(self, obj):
        return quantity_text(obj.quantity, obj.product.unit)

    @admin.display(description=_("costo unitario"))
    def display_unit_cost(self, obj):
        return money_text(obj.unit_cost) or "-"


class LineInline(TenantTabularInline):
    model = StockDocumentLine
    form = TenantModelForm
    extra = 1
    autocomplete_fields = ["product"]
    fields = ["product", "quantity"]
    # Posted lines are read-only: shown through these, with sane decimals.
    posted_fields = {"quantity": "display_quantity", "unit_cost": "display_unit_cost"}
    readonly_fields = ["display_quantity", "display_unit_cost"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.is_posted:
            return [self.posted_fields.get(f, f) for f in fields]
        return fields

    @admin.display(description=_("cantidad"))
    def display_quantity(self, obj):
        return quantity_text(obj.quantity, obj.product.unit) if obj.pk else ""

    @admin.display(description=_("costo unitario"))
    def display_unit_cost(self, obj):
        return money_text(obj.unit_cost) if obj.pk else ""

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_posted:
            return False
        return super().has_change_permission(request, obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class ReceiptLineInline(LineInline):
    fields = ["product", "quantity", "unit_cost"]


class CountLineInline(LineInline):
    fields = ["product", "quantity", "display_expected", "display_difference"]
    readonly_fields = [
        *LineInline.readonly_fields,
        "display_expected",
        "display_difference",
    ]
    verbose_name_plural = _("cantidades contadas")

    @admin.display(description=_("en sistema"))
    def display_expected(self, obj):
        return quantity_text(obj.expected, obj.product.unit) if obj.pk else ""

    @admin.display(description=_("diferencia"))
    def display_difference(self, obj):
        return quantity_text(obj.difference, obj.product.unit) if obj.pk else ""


class StockDocumentAdmin(TenantAdmin):
    """Draft documents are edited freely; posting books the moves and freezes them."""

    form = TenantModelForm
    list_display = ["__str__", "establishment", "status", "posted_at", "posted_by"]
    list_filter = ["status", "establishment"]
    list_select_related = ["establishment", "posted_by"]
    readonly_fields = ["status", "posted_at", "posted_by"]
    actions_detail = ["post_document"]
    inlines = [LineInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_posted:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_posted:
            return False
        return super().has_delete_permission(request, obj)

    def has_post_permission(self, request, object_id=None):
        # unfold passes the raw object id: the role decides here, the scoped
        # queryset and the service decide about the document itself.
        return super().has_change_permission(request)

    @action(
        description=_("Contabilizar"),
        permissions=["post"],
        icon="task_alt",
        dialog={
            "title": _("¿Contabilizar el documento?"),
            "description": _(
                "Se registrarán los movimientos de stock y el documento quedará "
                "cerrado; las correcciones se hacen con un documento nuevo."
            ),
            "form_class": None,
            "form_submit_text": _("Contabilizar"),
        },
    )
    def post_document(self, request, form, object_id):
        document = self.get_queryset(request).filter(pk=object_id).first()
        if document is None:
            raise Http404
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[document.pk],
        )
        try:
            services.stock_document_post(
                business=require_business(), document=document, user=request.user
            )
            self.message_user(request, _("Documento contabilizado."))
        except SouthernPOSError as e:
            self.message_user(request, e.message, messages.ERROR)
        if request.headers.get("HX-Request"):
            return HttpResponse(headers={"HX-Redirect": url})
        return redirect(url)


@admin.register(StockReceipt)
class StockReceiptAdmin(StockDocumentAdmin):
    fields = [
        "establishment",
        "supplier",
        "reference",
        *StockDocumentAdmin.readonly_fields,
    ]
    list_display = ["__str__", "establishment", "supplier", "status", "posted_at"]
    search_fields = ["supplier", "reference"]
    inlines = [ReceiptLineInline]


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(StockDocumentAdmin):
    fields = ["establishment", "reason", *StockDocumentAdmin.readonly_fields]
    inlines = [LineInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "reason" in form.base_fields:
            form.base_fields["reason"].required = True
        return form


@admin.register(StockCount)
class StockCountAdmin(SpreadsheetImportMixin, ImportMixin, StockDocumentAdmin):
    fields = ["establishment", "reason", *StockDocumentAdmin.readonly_fields]
    inlines = [CountLineInline]
    resource_classes = [StockCountLineResource]
    skip_admin_log = True
    formats = SPREADSHEET_FORMATS

    def has_import_permission(self, request):
        return self.has_add_permission(request)


@admin.register(StockTransfer)
class StockTransferAdmin(StockDocumentAdmin):
    fields = [
        "establishment",
        "destination",
        "reference",
        *StockDocumentAdmin.readonly_fields,
    ]
    list_display = ["__str__", "establishment", "destination", "status", "posted_at"]
    list_select_related = ["establishment", "destination", "posted_by"]
