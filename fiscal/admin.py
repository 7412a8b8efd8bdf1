"""Back office for SRI documents and signature certificates (presentation only)."""

from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display
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
from .errors import FiscalError
from .exports import edoc_export_xml, month_export_zip
from .forms import (
    DOWNLOAD_EVENT,
    BuyerFixDialogForm,
    CertificateUploadForm,
    MonthDialogForm,
    PortalAnnulmentDialogForm,
    ResendDialogForm,
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
class ElectronicDocumentAdmin(LargeListMixin, ReadOnlyTenantAdmin):
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

    def _object(self, request, object_id) -> ElectronicDocument:
        edoc = self.get_queryset(request).filter(pk=object_id).first()
        if edoc is None:
            raise Http404
        return edoc

    def _change_url(self, object_id) -> str:
        return reverse("admin:fiscal_electronicdocument_change", args=[object_id])

    def has_resend_permission(self, request, object_id=None):
        return self._allowed(request, roles.MANAGERS)

    # unfold passes the object id (a string) to detail-action permission checks,
    # so these take no object; the action loads it through the scoped queryset.
    def has_download_permission(self, request, object_id=None):
        return self._allowed(request, self.view_roles)

    def has_export_permission(self, request, object_id=None):
        return self._allowed(request, roles.READERS)

    @action(
        description=_("RIDE (PDF)"), icon="picture_as_pdf", permissions=["download"]
    )
    def download_ride(self, request, object_id):
        edoc = self._object(request, object_id)
        response = HttpResponse(services.edoc_ride(edoc=edoc), "application/pdf")
        response["Content-Disposition"] = f'inline; filename="{edoc.access_key}.pdf"'
        return response

    @action(description=_("XML"), icon="code", permissions=["download"])
    def download_xml(self, request, object_id):
        edoc = self._object(request, object_id)
        response = HttpResponse(edoc_export_xml(edoc), "application/xml")
        response["Content-Disposition"] = (
            f'attachment; filename="{edoc.access_key}.xml"'
        )
        return response

    @action(
        description=_("Reenviar al SRI"),
        icon="send",
        permissions=["resend"],
        dialog={
            "title": _("Reenviar el comprobante"),
            "description": _(
                "Se firmará de nuevo y se enviará con la misma clave de acceso."
            ),
            "form_class": ResendDialogForm,
            "form_submit_text": _("Reenviar"),
        },
    )
    def resend(self, request, form, object_id):
        edoc = self._object(request, object_id)
        self._run(request, services.edoc_resend, edoc=edoc, actor=request.user)
        return redirect(self._change_url(object_id))

    @action(
        description=_("Corregir cliente y reenviar"),
        icon="edit_note",
        permissions=["resend"],
        dialog={
            "title": _("Corregir los datos del cliente"),
            "description": _("El comprobante se reconstruye, se firma y se reenvía."),
            "form_class": BuyerFixDialogForm,
            "form_submit_text": _("Corregir y reenviar"),
        },
    )
    def fix_and_resend(self, request, form, object_id):
        edoc = self._object(request, object_id)
        self._run(
            request,
            services.edoc_fix_and_resend,
            edoc=edoc,
            buyer_changes=form.buyer_changes(),
            actor=request.user,
        )
        return redirect(self._change_url(object_id))

    @action(
        description=_("Registrar anulación en el portal"),
        icon="block",
        permissions=["resend"],
        dialog={
            "title": _("Anulación en el portal del SRI"),
            "description": _(
                "Registre que esta factura a consumidor final ya fue anulada en "
                "el portal del SRI (el SRI no admite notas de crédito para ella)."
            ),
            "form_class": PortalAnnulmentDialogForm,
            "form_submit_text": _("Registrar"),
        },
    )
    def record_portal_annulment(self, request, form, object_id):
        edoc = self._object(request, object_id)
        try:
            services.edoc_portal_annulment_record(
                business=request.business,
                edoc=edoc,
                user=request.user,
                reference=form.cleaned_data.get("reference", ""),
            )
        except FiscalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Anulación en el portal registrada."))
        return redirect(self._change_url(object_id))

    @action(
        description=_("Exportar mes (XML, ATS, Excel)"),
        icon="download",
        permissions=["export"],
        dialog={
            "title": _("Exportar para el contador"),
            "description": _("XML de cada comprobante, ATS y hojas de cálculo."),
            "form_class": MonthDialogForm,
            "form_submit_text": _("Descargar"),
        },
    )
    def export_month(self, request, form):
        if request.headers.get("HX-Request"):
            # The dialog posts through htmx, which swaps HTML and cannot save a
            # file: send the browser to the (read-only) download and close it.
            url = reverse("admin:fiscal_electronicdocument_export_month_file")
            query = urlencode({"month": form.cleaned_data["month"]})
            return HttpResponse(
                headers={"HX-Redirect": f"{url}?{query}", "HX-Trigger": DOWNLOAD_EVENT}
            )
        return self._month_zip(request, *form.year_month())

    def export_month_file_view(self, request):
        """GET ?month=AAAA-MM: the month's zip (where the export dialog sends)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        form = MonthDialogForm(
            request, data={"month": request.GET.get("month", ""), "_form_submitted": 1}
        )
        if not form.is_valid():
            messages.error(request, _("Mes inválido: use AAAA-MM, p. ej. 2026-11."))
            return redirect("admin:fiscal_electronicdocument_changelist")
        return self._month_zip(request, *form.year_month())

    def _month_zip(self, request, year: int, month: int) -> HttpResponse:
        data = month_export_zip(business=request.business, year=year, month=month)
        response = HttpResponse(data, "application/zip")
        name = f"SRI-{request.business.ruc}-{year:04d}-{month:02d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_urls(self):
        # Before the admin's own patterns, whose "<object_id>/" would match it.
        view = self.admin_site.admin_view(self.export_month_file_view)
        return [
            path(
                "export-month/file/",
                view,
                name="fiscal_electronicdocument_export_month_file",
            ),
            *super().get_urls(),
        ]

    def _run(self, request, service, **kwargs) -> None:
        try:
            edoc = service(**kwargs)
        except (FiscalError, ValidationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return
        level = messages.SUCCESS if edoc.state == DocState.AUTHORISED else messages.INFO
        messages.add_message(
            request,
            level,
            _("Estado del comprobante: %(state)s")
            % {"state": edoc.get_state_display()},
        )


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
