"""Back-office forms of the fiscal app (they only collect input for services)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.forms import BaseDialogForm
from unfold.widgets import (
    UnfoldAdminEmailInputWidget,
    UnfoldAdminFileFieldWidget,
    UnfoldAdminPasswordWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from core.sri_codes import IdType

from .models import ElectronicDocument

MAX_P12_BYTES = 100 * 1024

ID_TYPE_CHOICES = IdType.choices  # SRI tabla 6


class CertificateUploadForm(forms.Form):
    p12_file = forms.FileField(
        label=_("Archivo de firma (.p12)"), widget=UnfoldAdminFileFieldWidget
    )
    password = forms.CharField(
        label=_("Contraseña de la firma"),
        strip=False,
        widget=UnfoldAdminPasswordWidget(render_value=False),
    )

    def clean_p12_file(self):
        # A real .p12 holds a key and a few certificates: a few kilobytes.
        p12_file = self.cleaned_data["p12_file"]
        if p12_file.size > MAX_P12_BYTES:
            raise forms.ValidationError(
                _("El archivo pesa más de 100 KB: no es un certificado de firma.")
            )
        return p12_file


class ResendDialogForm(BaseDialogForm):
    """Confirmation only."""


class PortalAnnulmentDialogForm(BaseDialogForm):
    reference = forms.CharField(
        label=_("Referencia del portal (opcional)"),
        max_length=120,
        required=False,
        widget=UnfoldAdminTextInputWidget,
    )


class BuyerFixDialogForm(BaseDialogForm):
    id_type = forms.ChoiceField(
        label=_("Tipo de identificación"),
        choices=ID_TYPE_CHOICES,
        widget=UnfoldAdminSelectWidget,
    )
    identification = forms.CharField(
        label=_("Identificación"), max_length=20, widget=UnfoldAdminTextInputWidget
    )
    name = forms.CharField(
        label=_("Razón social / nombres"),
        max_length=300,
        widget=UnfoldAdminTextInputWidget,
    )
    email = forms.EmailField(
        label=_("Correo"), required=False, widget=UnfoldAdminEmailInputWidget
    )
    address = forms.CharField(
        label=_("Dirección"),
        max_length=300,
        required=False,
        widget=UnfoldAdminTextInputWidget,
    )
    phone = forms.CharField(
        label=_("Teléfono"),
        max_length=30,
        required=False,
        widget=UnfoldAdminTextInputWidget,
    )

    def __init__(self, request, object_id=None, *args, **kwargs):
        super().__init__(request, object_id, *args, **kwargs)
        edoc = ElectronicDocument.objects.filter(pk=object_id).first()
        if edoc is not None:
            buyer = edoc.payload["buyer"]
            for name in self.fields:
                if name in buyer:
                    self.fields[name].initial = buyer[name]

    def clean_identification(self):
        value = self.cleaned_data["identification"].strip()
        if not re.fullmatch(r"[0-9A-Za-z]{3,20}", value):
            raise forms.ValidationError(_("Solo letras y números (3 a 20)."))
        return value

    def buyer_changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "id_type",
                "identification",
                "name",
                "email",
                "address",
                "phone",
            )
        }


# htmx event (HX-Trigger) that closes the month-export dialog once the zip's
# download has started.
DOWNLOAD_EVENT = "southernpos-download"


class MonthDialogForm(BaseDialogForm):
    form_after_template = "fiscal/admin/month_export_after.html"

    month = forms.RegexField(
        label=_("Mes (AAAA-MM)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Use el formato AAAA-MM, p. ej. 2026-11.")},
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": "2026-11"}),
    )

    def get_after_template_context(self, request, object_id=None):
        return {"event": DOWNLOAD_EVENT}

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)
