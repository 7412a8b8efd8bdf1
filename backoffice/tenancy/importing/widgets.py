"""Cell widgets: Sí/No, decimals as typed, money, choice labels."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from import_export import widgets

from .files import FALSE_WORDS, TRUE_WORDS, cell_text, normalise


class SiNoWidget(widgets.Widget):
    def __init__(self, default=None):
        super().__init__()
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise(cell_text(value))
        if text == "":
            return self.default  # None: keep the row's current (or default) value
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("Use «Sí» o «No»."))

    def render(self, value, obj=None, **kwargs):
        return _("Sí") if value else _("No")


class DecimalTextWidget(widgets.Widget):
    """Decimals that never pass through float arithmetic; '3,50' and '3.50' work."""

    def __init__(self, places: int = 6, required: bool = False):
        super().__init__()
        self.places = places
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = repr(value) if isinstance(value, float) else cell_text(value)
        text = text.replace(" ", "").replace("$", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if text == "":
            if self.required:
                raise ValueError(_("Valor requerido."))
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("Número inválido: %(v)s") % {"v": value})
        if not number.is_finite():
            raise ValueError(_("Número inválido: %(v)s") % {"v": value})
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value).quantize(Decimal(1).scaleb(-self.places)).normalize()
        text = format(value, "f")
        return value if kwargs.get("force_native_type") else text


class MoneyWidget(DecimalTextWidget):
    """Prices and costs: exported with at least two decimals (4.75, 4.130435)."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value).quantize(Decimal(1).scaleb(-self.places)).normalize()
        if value.as_tuple().exponent > -2:
            value = value.quantize(Decimal("0.01"))
        return value if kwargs.get("force_native_type") else format(value, "f")


class ChoiceLabelWidget(widgets.Widget):
    """TextChoices by value or by (accent-insensitive) label; exports the label."""

    def __init__(self, choices, aliases: dict[str, str] | None = None):
        super().__init__()
        self.choices = choices
        self.lookup = {normalise(v): v for v in choices.values}
        self.lookup |= {normalise(label): v for v, label in choices.choices}
        self.lookup |= {normalise(k): v for k, v in (aliases or {}).items()}

    def clean(self, value, row=None, **kwargs):
        text = normalise(cell_text(value))
        if text == "":
            return None
        try:
            return self.lookup[text]
        except KeyError:
            raise ValueError(_("Valor desconocido: %(v)s") % {"v": value})

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""
