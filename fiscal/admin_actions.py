"""The SRI document page's actions: RIDE and XML downloads, resend, fix and
resend, the portal annulment and the month export (used by fiscal.admin)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from backoffice.tenancy import roles

from . import services
from .errors import FiscalError
from .exports import edoc_export_xml, month_export_zip
from .forms import (
    DOWNLOAD_EVENT,
    BuyerFixDialogForm,
    MonthDialogForm,
    PortalAnnulmentDialogForm,
    ResendDialogForm,
)
from .models import (
    DocState,
    ElectronicDocument,
)


class ElectronicDocumentActionsMixin:
    """Detail and list actions of ElectronicDocumentAdmin."""

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
        xml = edoc_export_xml(edoc)
        if xml is None:  # refused by its schema: there is no XML to give
            messages.error(request, edoc.last_error)
            return redirect(self._change_url(object_id))
        response = HttpResponse(xml, "application/xml")
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
