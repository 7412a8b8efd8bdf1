from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from stdnum.ec import ruc as ruc_validator
from stdnum.exceptions import ValidationError as StdnumError

from .models import Business
from .services import ruc_is_verified_elsewhere


def ruc_clean(value: str) -> str:
    try:
        return ruc_validator.validate(value.strip())
    except StdnumError as exc:
        raise forms.ValidationError(
            _("RUC inválido: 13 dígitos con dígito verificador correcto.")
        ) from exc


class SignupForm(forms.Form):
    """What a new business tells us; the password comes with the e-mailed link."""

    email = forms.EmailField(label=_("Correo electrónico"))
    ruc = forms.CharField(label=_("RUC"), max_length=13, min_length=13)
    razon_social = forms.CharField(label=_("Razón social"), max_length=300)
    nombre_comercial = forms.CharField(
        label=_("Nombre comercial"), max_length=300, required=False
    )
    direccion_matriz = forms.CharField(label=_("Dirección matriz"), max_length=300)
    mode = forms.ChoiceField(label=_("Tipo de negocio"), choices=Business.Mode.choices)

    def clean_email(self):
        # Whether the e-mail has an account is not said here (see signup_request).
        return self.cleaned_data["email"].strip().lower()

    def clean_ruc(self):
        value = ruc_clean(self.cleaned_data["ruc"])
        if ruc_is_verified_elsewhere(ruc=value):
            # A RUC is public (SRI), so saying it is verified tells nothing new.
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}?ruc={}">{}</a>',
                    _("Otro negocio ya verificó este RUC con su firma electrónica."),
                    reverse("ruc_dispute"),
                    value,
                    _("¿Es suyo? Escriba al equipo de la plataforma."),
                )
            )
        return value


class PasswordPairForm(SetPasswordForm):
    """New password twice, validated against the would-be account."""


class RucDisputeForm(forms.Form):
    ruc = forms.CharField(label=_("RUC"), max_length=13, min_length=13)
    razon_social = forms.CharField(label=_("Razón social"), max_length=300)
    email = forms.EmailField(label=_("Correo de contacto"))
    message = forms.CharField(
        label=_("¿Por qué es suyo este RUC?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
    )

    def clean_ruc(self):
        return ruc_clean(self.cleaned_data["ruc"])


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset, also for accounts whose first password was never set.

    Such an account was made for an invitation; the link reaches only the
    mailbox, so setting a password from it is safe. Local logins have no e-mail.
    """

    def get_users(self, email):
        users = (
            get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            .exclude(account__is_local=True)
        )
        return (u for u in users if u.email.lower() == email.lower())
