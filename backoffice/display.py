"""How the back office writes numbers: money to the cent, quantities as typed.

Prices and quantities are stored with 6 decimals (SRI's precioUnitario and
cantidad); people type "4.75" and "1.5", so pages show them that way. The
history of changes (django-simple-history) goes through the same rules.
"""

import dataclasses
from decimal import Decimal

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.template_utils import HistoricalRecordContextHelper

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
# Units sold by weight or volume show grams / millilitres (0.750 kg).
MEASURED_UNITS = {"kg", "l"}
# Six-decimal fields that hold money (unit prices and costs); the other
# six-decimal fields are quantities.
MONEY_FIELDS = {"price", "cost", "unit_cost", "unit_price", "price_delta"}


def _plain(value: Decimal) -> str:
    """Fixed-point text, never scientific notation."""
    return format(value, "f")


def _at_least(value: Decimal, step: Decimal) -> str:
    """`value` to `step`'s decimals, or with all of its own if it has more."""
    if value == value.quantize(step):
        return _plain(value.quantize(step))
    return _plain(value.normalize())


def decimal_text(value) -> str:
    """A number without trailing zeros: 0, 1.5, 10."""
    if value is None:
        return ""
    return _plain(Decimal(value).normalize())


def quantity_text(value, unit: str | None = None) -> str:
    """A quantity as people write it: 0 or 1.5 units, 0.750 kg."""
    if value is None:
        return ""
    if unit in MEASURED_UNITS:
        return _at_least(Decimal(value), MILLI)
    return decimal_text(value)


def money_text(value) -> str:
    """Money with two decimals; more only where a unit price really has them."""
    if value is None:
        return ""
    return _at_least(Decimal(value), CENT)


def field_text(name: str, value, unit: str | None = None) -> str:
    """A stored six-decimal value by its field's meaning: money or quantity."""
    if name in MONEY_FIELDS:
        return money_text(value)
    return quantity_text(value, unit)


def yes_no(value) -> str:
    return _("Sí") if value else _("No")


class HistoryChanges(HistoricalRecordContextHelper):
    """The "Changes" column of a history page, in the back office's words.

    `formats` maps a field name to `(value, record) -> str`, where `record` is
    the historical row the value comes from (so a price can be shown with the
    IVA that row had); `labels` renames fields. Other decimals lose their
    trailing zeros, booleans read Sí/No, choices show their labels.
    """

    def __init__(self, model, historical_record, *, formats=None, labels=None):
        super().__init__(model, historical_record)
        self.formats = formats or {}
        self.labels = labels or {}

    def context_for_delta_changes(self, delta):
        self.delta = delta
        return super().context_for_delta_changes(delta)

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        field = self.model._meta.get_field(change.field)
        old = self.value_text(field, change.old, self.delta.old_record)
        new = self.value_text(field, change.new, self.delta.new_record)
        if old is None:
            return formatted
        label = capfirst(self.labels.get(change.field, formatted.field))
        return dataclasses.replace(formatted, field=label, old=old, new=new)

    def value_text(self, field, value, record) -> str | None:
        """The text of one value, or None to keep simple-history's."""
        if field.name in self.formats:
            return "" if value is None else self.formats[field.name](value, record)
        if field.choices and not field.many_to_many:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return yes_no(value)
        if isinstance(field, models.DecimalField):
            if field.decimal_places == 2:
                return money_text(value)
            return field_text(field.name, value, getattr(record, "unit", None))
        return None
