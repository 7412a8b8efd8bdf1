"""Back office for SRI documents and signature certificates (presentation only)."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display
from unfold.utils import display_for_label

from backoffice.customers.models import Customer
from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import (
    ReadOnlyTenantAdmin,
    ReadOnlyTenantInline,
    TenantAdmin,
)
from backoffice.tenancy.admin_lists import (
    LargeListMixin,
    date_range,
    parse_document_number,
    text_matches,
)
from backoffice.tenancy.models import EmissionPoint

from . import selectors, services
from .admin_actions import ElectronicDocumentActionsMixin
from .errors import FiscalError
from .forms import (
    CertificateUploadForm,
)
from .models import (
    DocState,
    DocType,
    DocumentSequence,
    ElectronicDocument,
    ElectronicDocumentEvent,
    SigningCertificate,
    SriMessage,
)

STATE_COLOURS = {
    DocState.GENERATED: "info",
    DocState.SIGNED: "info",
    DocState.SENT: "warning",
    DocState.RECEIVED: "warning",
    DocState.AUTHORISED: "success",
    DocState.RETURNED: "danger",
    DocState.NOT_AUTHORISED: "danger",
}

AMBIENTES = {"1": _("Pruebas"), "2": _("Producción")}

# `ElectronicDocument.source` is "<kind>:<pk>"; fiscal knows no sales, so the
# admin links by model label (the linked admins are tenant-scoped themselves).
SOURCES = {
    "sale": ("pos.Sale", _("Venta %(doc)s")),
    "void": ("pos.Void", _("Anulación %(doc)s")),
}


class SriMessageInline(ReadOnlyTenantInline):
    model = SriMessage
    fields = [
        "created_at",
        "origin",
        "identificador",
        "mensaje",
        "informacion_adicional",
    ]
    readonly_fields = fields


class ElectronicDocumentEventInline(ReadOnlyTenantInline):
    """The document's history: each change of state, who made it and the answer."""

    model = ElectronicDocumentEvent
    fields = ["created_at", "action", "from_state", "to_state", "actor", "summary"]
    readonly_fields = fields


class PortalAnnulmentFilter(admin.SimpleListFilter):
    """Voided CONSUMIDOR FINAL invoices: to annul in the SRI portal, or done."""

    title = _("anulación en el portal")
    parameter_name = "portal_annulment"

    def lookups(self, request, model_admin):
        return [("pending", _("Pendiente")), ("done", _("Registrada"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(
                annulment_requested_at__isnull=False, annulled_in_portal_at__isnull=True
            )
        if self.value() == "done":
            return queryset.filter(annulled_in_portal_at__isnull=False)
        return queryset


@admin.register(ElectronicDocument)
class ElectronicDocumentAdmin(
    LargeListMixin, ElectronicDocumentActionsMixin, ReadOnlyTenantAdmin
):
    list_display = [
        "display_number",
        "kind",
        "issue_date",
        "buyer_name",
        "total",
        "display_state",
        "attempts",
        "next_attempt_at",
    ]
    list_filter = [
        "state",
        "kind",
        date_range("issue_date"),
        PortalAnnulmentFilter,
    ]
    search_fields = ["access_key", "number", "buyer_name", "buyer_identification"]
    search_help_text = _("Número (001-001-000000123 o 123), clave de acceso o cliente")
    inlines = [ElectronicDocumentEventInline, SriMessageInline]
    fields = [
        "kind",
        "display_state_detail",
        "number",
        "issue_date",
        "access_key",
        "display_ambiente",
        "buyer_identification",
        "buyer_name",
        "buyer_email",
        "subtotal",
        "tax_total",
        "total",
        "authorization_number",
        "authorized_at",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "emailed_at",
        "last_error",
        "display_source",
        "modifies",
        "annulment_requested_at",
        "annulment_reason",
        "annulled_in_portal_at",
        "annulled_in_portal_by",
        "annulment_reference",
    ]
    readonly_fields = fields
    actions_detail = [
        "download_ride",
        "download_xml",
        "resend",
        "fix_and_resend",
        "record_portal_annulment",
    ]
    actions_list = ["export_month"]

    def get_queryset(self, request):
        # The XML columns are the bulk of each row; only the detail view needs them.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith(
            "_changelist"
        ):
            queryset = queryset.defer("xml", "signed_xml", "authorised_xml")
        return queryset

    def get_search_results(self, request, queryset, search_term):
        """Numbers and access keys are matched exactly, on an index."""
        if not search_term.strip():
            return queryset, False
        term = search_term.strip()
        if len(term) == 49 and term.isdigit():
            return queryset.filter(access_key=term), False
        parsed = parse_document_number(term)
        if parsed is None:
            # A buyer: customers first (a small table), then their documents
            # by identification on an index (issue 16).
            buyers = text_matches(
                Customer.objects.for_business(request.business),
                search_term,
                ["name", "identification"],
                column="identification",
            )
            return queryset.filter(buyer_identification__in=buyers), False
        document_number, number = parsed
        if document_number is None:
            points = EmissionPoint.objects.for_business(request.business).values_list(
                "establishment__code", "code"
            )
            candidates = [f"{est}-{point}-{number:09d}" for est, point in points]
        else:
            candidates = [document_number]
        kinds = [kind for kind, _label in DocType.choices]
        return queryset.filter(kind__in=kinds, number__in=candidates), False

    @display(description=_("número"), ordering="number")
    def display_number(self, obj):
        # 001-001-000000123 in one line: a wrapped number is hard to read.
        return format_html('<span class="whitespace-nowrap">{}</span>', obj.number)

    @display(description=_("estado"), label=STATE_COLOURS)
    def display_state(self, obj):
        return obj.state, obj.get_state_display()

    # The detail page shows read-only values as text: render the badge here.
    @display(description=_("estado"))
    def display_state_detail(self, obj):
        return display_for_label(
            (obj.state, obj.get_state_display()), "-", STATE_COLOURS
        )

    @display(description=_("ambiente"))
    def display_ambiente(self, obj):
        return AMBIENTES.get(obj.ambiente, obj.ambiente)

    @display(description=_("origen"))
    def display_source(self, obj):
        kind, _sep, pk = obj.source.partition(":")
        if kind not in SOURCES or not pk.isdigit():
            return obj.source or "-"
        model_label, text = SOURCES[kind]
        model = apps.get_model(model_label)
        # The edoc came through the scoped queryset: look its source up in the
        # same business, so a link never points at another business's row.
        target = model.objects.filter(business_id=obj.business_id, pk=pk).first()
        if target is None:
            return obj.source
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
        label = getattr(target, "document_number", None) or str(target)
        return format_html(
            '<a href="{}" class="text-primary-600">{}</a>', url, text % {"doc": label}
        )

    def changelist_view(self, request, extra_context=None):
        unsent = selectors.edoc_unsent_count(business=request.business)
        if not settings.SRI_SEND_ENABLED:
            messages.warning(
                request,
                _(
                    "El envío al SRI está desactivado: los comprobantes firmados "
                    "todavía no se han enviado ni autorizado (%(n)s sin enviar)."
                )
                % {"n": unsent},
            )
        elif unsent:
            messages.info(
                request,
                _("%(n)s comprobantes todavía no se han enviado al SRI.")
                % {"n": unsent},
            )
        annul = selectors.edoc_to_annul_count(business=request.business)
        if annul:
            messages.warning(
                request,
                _(
                    "%(n)s facturas a consumidor final fueron anuladas en caja: "
                    "anúlelas en el portal del SRI (no admite notas de crédito) y "
                    "registre cada anulación en su comprobante (filtro «anulación "
                    "en el portal»)."
                )
                % {"n": annul},
            )
        return super().changelist_view(request, extra_context)


@admin.register(SigningCertificate)
class SigningCertificateAdmin(TenantAdmin):
    """Owners upload the .p12; nobody can read it or its password back."""

    view_roles = roles.MANAGERS
    change_roles = roles.OWNERS
    list_display = ["subject", "issuer", "not_after", "display_expiry", "is_active"]
    fields = [
        "subject",
        "issuer",
        "serial_number",
        "not_before",
        "not_after",
        "is_active",
    ]
    readonly_fields = fields

    @display(description=_("vigencia"), label={"ok": "success", "soon": "danger"})
    def display_expiry(self, obj):
        days = selectors.certificate_days_left(obj)
        if days < 0:
            return "soon", _("Caducado")
        if selectors.certificate_expires_soon(obj):
            return "soon", _("Caduca en %(days)s días") % {"days": days}
        return "ok", _("%(days)s días") % {"days": days}

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise Http404
        form = CertificateUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.certificate_upload(
                    business=request.business,
                    p12=form.cleaned_data["p12_file"].read(),
                    password=form.cleaned_data["password"],
                )
            except FiscalError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Certificado de firma guardado."))
                return redirect("admin:fiscal_signingcertificate_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Subir certificado de firma electrónica"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "fiscal/admin/certificate_upload.html", context
        )


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyTenantAdmin):
    list_display = ["emission_point", "doc_type", "last_number"]
