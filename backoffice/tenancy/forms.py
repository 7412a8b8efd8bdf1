from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _
from stdnum.ec import ruc as ruc_validator
from stdnum.exceptions import ValidationError as StdnumError

from .models import Business


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"))
    password = forms.CharField(label=_("Contraseña"), widget=forms.PasswordInput)
    ruc = forms.CharField(label=_("RUC"), max_length=13, min_length=13)
    razon_social = forms.CharField(label=_("Razón social"), max_length=300)
    nombre_comercial = forms.CharField(
        label=_("Nombre comercial"), max_length=300, required=False
    )
    direccion_matriz = forms.CharField(label=_("Dirección matriz"), max_length=300)
    mode = forms.ChoiceField(label=_("Tipo de negocio"), choices=Business.Mode.choices)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects
        if (
            users.filter(email__iexact=email).exists()
            or users.filter(username__iexact=email).exists()
        ):
            raise forms.ValidationError(_("Ya existe una cuenta con este correo."))
        return email

    def clean_ruc(self):
        value = self.cleaned_data["ruc"].strip()
        try:
            value = ruc_validator.validate(value)
        except StdnumError as exc:
            raise forms.ValidationError(
                _("RUC inválido: 13 dígitos con dígito verificador correcto.")
            ) from exc
        if Business.objects.filter(ruc=value).exists():
            raise forms.ValidationError(_("Este RUC ya está registrado."))
        return value

    def clean(self):
        cleaned = super().clean()
        password, email = cleaned.get("password"), cleaned.get("email")
        if password:
            # With the would-be user, so a password like the e-mail is refused too.
            candidate = get_user_model()(username=email or "", email=email or "")
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
