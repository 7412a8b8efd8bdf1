"""Back office views of posted documents: read-only, scoped, with the audit trail.

Sales, voids and cash movements are insert-only; nobody edits or deletes
them here. Writes happen through pos.services (the POS page and its API).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from backoffice.customers.models import Customer
from backoffice.display import money_text, quantity_text
from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import (
    ReadOnlyMixin,
    ReadOnlyTenantInline,
    TenantScopeMixin,
)
from backoffice.tenancy.admin_lists import (
    LargeListMixin,
    date_range,
    parse_document_number,
    text_matches,
)

from .models import (
    CashMovement,
    CashSession,
    Payment,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    SaleTax,
    Void,
)


class DocumentAdmin(ReadOnlyMixin, TenantScopeMixin, ModelAdmin):
    view_roles = roles.READERS


class ReadOnlyInline(ReadOnlyTenantInline):
    view_roles = roles.READERS
    show_change_link = False


class SaleLineInline(ReadOnlyInline):
    model = SaleLine
    fields = readonly_fields = [
        "position",
        "code",
        "name",
        "display_quantity",
        "display_unit_price",
        "discount",
        "tax_code",
        "base",
        "tax",
    ]

    @display(description=_("cantidad"))
    def display_quantity(self, obj):
        return quantity_text(obj.quantity, obj.product.unit)

    @display(description=_("precio unitario sin IVA"))
    def display_unit_price(self, obj):
        return money_text(obj.unit_price)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


class SaleTaxInline(ReadOnlyInline):
    model = SaleTax
    fields = readonly_fields = ["tax_code", "rate", "base", "tax"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = ["method", "amount", "reference"]


@admin.register(Sale)
class SaleAdmin(LargeListMixin, DocumentAdmin):
    list_display = [
        "document_number",
        "posted_at",
        "customer_name",
        "total",
        "cashier",
        "display_voided",
    ]
    list_filter = [date_range("posted_at"), "emission_point"]
    search_fields = ["document_number", "customer_name", "customer_identification"]
    search_help_text = _(
        "Número (001-001-000000123 o 123), o nombre o identificación del cliente"
    )
    list_select_related = ["cashier", "void"]
    inlines = [SaleLineInline, SaleTaxInline, PaymentInline]
    fieldsets = [
        (
            _("Documento"),
            {
                "fields": [
                    "document_number",
                    "posted_at",
                    "establishment",
                    "emission_point",
                    "cash_session",
                    "cashier",
                    "idempotency_key",
                    "display_void_link",
                ]
            },
        ),
        (
            _("Cliente"),
            {
                "fields": [
                    "customer_id_type",
                    "customer_identification",
                    "customer_name",
                    "customer_address",
                    "customer_email",
                    "customer_phone",
                ]
            },
        ),
        (
            _("Totales"),
            {
                "fields": [
                    "subtotal",
                    "discount_total",
                    "tax_total",
                    "service_charge",
                    "total",
                    "tendered",
                    "change",
                    "display_receipt",
                ]
            },
        ),
    ]
    readonly_fields = [f for _name, opts in fieldsets for f in opts["fields"]]

    def get_search_results(self, request, queryset, search_term):
        """A sale number is matched exactly, on an index; other words find the
        customers first (a small table), then their sales on an index."""
        if not search_term.strip():
            return queryset, False
        parsed = parse_document_number(search_term)
        if parsed is None:
            customers = text_matches(
                Customer.objects.for_business(request.business),
                search_term,
                ["name", "identification"],
            )
            return queryset.filter(customer_id__in=customers), False
        document_number, number = parsed
        queryset = queryset.filter(number=number)
        if document_number:
            queryset = queryset.filter(document_number=document_number)
        return queryset, False

    @display(description=_("Anulada"), boolean=True)
    def display_voided(self, obj):
        return hasattr(obj, "void")

    @display(description=_("Anulación"))
    def display_void_link(self, obj):
        if not hasattr(obj, "void"):
            return "—"
        url = reverse("admin:pos_void_change", args=[obj.void.pk])
        return format_html('<a href="{}">{}</a>', url, obj.void.document_label)

    @display(description=_("Recibo"))
    def display_receipt(self, obj):
        pdf = reverse("pos:sale-receipt-pdf", args=[obj.pk])
        html = reverse("pos:sale-receipt-html", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank">PDF 80 mm</a> · '
            '<a href="{}" target="_blank">HTML</a>',
            pdf,
            html,
        )


@admin.register(Void)
class VoidAdmin(DocumentAdmin):
    list_display = [
        "display_document",
        "sale",
        "voided_at",
        "total",
        "actor",
        "authorized_by",
        "reason",
    ]
    list_filter = ["voided_at"]
    search_fields = ["document_number", "sale__document_number", "reason"]
    list_select_related = ["sale", "actor", "authorized_by"]
    readonly_fields = [
        "display_document",
        "sale",
        "emission_point",
        "voided_at",
        "reason",
        "actor",
        "authorized_by",
        "cash_session",
        "total",
        "created_at",
    ]
    fields = readonly_fields

    @display(description=_("nota de crédito"), ordering="document_number")
    def display_document(self, obj):
        return obj.document_label


class SaleReturnLineInline(ReadOnlyInline):
    model = SaleReturnLine
    fields = readonly_fields = ["sale_line", "quantity", "discount", "base", "tax"]


@admin.register(SaleReturn)
class SaleReturnAdmin(DocumentAdmin):
    """Who took back what, and whose PIN let a cashier do it (issue 11)."""

    list_display = [
        "display_document",
        "sale",
        "returned_at",
        "total",
        "actor",
        "authorized_by",
        "reason",
    ]
    list_filter = ["returned_at"]
    search_fields = ["document_number", "sale__document_number", "reason"]
    list_select_related = ["sale", "actor", "authorized_by"]
    inlines = [SaleReturnLineInline]
    readonly_fields = [
        "display_document",
        "sale",
        "emission_point",
        "returned_at",
        "reason",
        "actor",
        "authorized_by",
        "cash_session",
        "subtotal",
        "tax_total",
        "total",
        "created_at",
    ]
    fields = readonly_fields

    @display(description=_("nota de crédito"), ordering="document_number")
    def display_document(self, obj):
        return obj.document_number or _("Sin nota de crédito (consumidor final)")


class CashMovementInline(ReadOnlyInline):
    model = CashMovement
    fields = readonly_fields = ["created_at", "kind", "method", "amount", "reason"]


@admin.register(CashSession)
class CashSessionAdmin(DocumentAdmin):
    list_display = [
        "emission_point",
        "opened_at",
        "opened_by",
        "opening_float",
        "closed_at",
        "difference",
        "display_report",
    ]
    list_filter = ["opened_at", "emission_point"]
    list_select_related = ["emission_point__establishment", "opened_by"]
    inlines = [CashMovementInline]
    readonly_fields = [
        "emission_point",
        "opened_by",
        "opened_at",
        "opening_float",
        "closed_by",
        "closed_at",
        "expected",
        "counted",
        "difference",
        "note",
        "display_report",
    ]
    fields = readonly_fields

    @display(description=_("Reporte"))
    def display_report(self, obj):
        url = reverse("pos:cash-report", args=[obj.pk])
        label = _("Reporte X") if obj.is_open else _("Reporte Z")
        return format_html('<a href="{}" target="_blank">{}</a>', url, label)


@admin.register(CashMovement)
class CashMovementAdmin(DocumentAdmin):
    list_display = ["created_at", "session", "kind", "method", "amount", "user"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["session__emission_point__establishment", "user"]
    readonly_fields = [
        "created_at",
        "session",
        "kind",
        "method",
        "amount",
        "reason",
        "user",
        "void",
    ]
    fields = readonly_fields
