"""Forms of the counter's back-office pages."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminPasswordWidget

from .services.pins import PIN_MAX_LENGTH, PIN_MIN_LENGTH


class SupervisorPinForm(forms.Form):
    """A new supervisor PIN, typed twice (only digits; checked by the service)."""

    pin = forms.CharField(
        label=_("Nuevo PIN"),
        max_length=PIN_MAX_LENGTH,
        min_length=PIN_MIN_LENGTH,
        strip=True,
        widget=UnfoldAdminPasswordWidget(
            attrs={"inputmode": "numeric", "autocomplete": "new-password"}
        ),
        help_text=_("Entre 6 y 12 dígitos."),
    )
    pin_again = forms.CharField(
        label=_("Repita el PIN"),
        max_length=PIN_MAX_LENGTH,
        strip=True,
        widget=UnfoldAdminPasswordWidget(
            attrs={"inputmode": "numeric", "autocomplete": "new-password"}
        ),
    )

    def clean(self):
        data = super().clean()
        pin, again = data.get("pin"), data.get("pin_again")
        if pin and not pin.isdigit():
            self.add_error("pin", _("El PIN solo lleva dígitos."))
        elif pin and again is not None and pin != again:
            self.add_error("pin_again", _("Los dos PIN no coinciden."))
        return data
