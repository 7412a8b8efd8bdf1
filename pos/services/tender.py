"""Payments of a sale: they cover the total; only cash may exceed it (change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.limits import MAX_MONEY, MAX_REFERENCE
from core.money import ZERO, round_money

from ..errors import PaymentError
from ..models import PaymentMethod
from .pricing import PaymentIn, money_in


@dataclass(frozen=True)
class Tender:
    rows: list[PaymentIn]  # applied amounts, adding up to the total
    tendered: Decimal
    change: Decimal


def payments_apply(*, total: Decimal, payments: list[PaymentIn]) -> Tender:
    """Check payments cover the total; only cash may exceed it (giving change)."""
    cash = ZERO
    other = ZERO
    clean = []
    for i, p in enumerate(payments):
        amount = money_in(
            p.amount, field_name=f"payments[{i}].amount", error=PaymentError
        )
        if p.method not in PaymentMethod.values:
            raise PaymentError(
                _("Forma de pago no válida."), field=f"payments[{i}].method"
            )
        if amount <= 0 or amount != round_money(amount):
            raise PaymentError(
                _("El monto del pago debe ser positivo, con 2 decimales."),
                field=f"payments[{i}].amount",
            )
        clean.append(PaymentIn(p.method, amount, (p.reference or "")[:MAX_REFERENCE]))
        if p.method == PaymentMethod.CASH:
            cash += amount
        else:
            other += amount
    if other > total:
        raise PaymentError(
            _("Los pagos con tarjeta o transferencia superan el total."),
            field="payments",
        )
    if cash + other < total:
        raise PaymentError(
            _("Los pagos (%(paid)s) no cubren el total (%(total)s).")
            % {"paid": cash + other, "total": total},
            field="payments",
        )
    if cash > MAX_MONEY:
        raise PaymentError(
            _("El efectivo recibido es demasiado grande."), field="payments"
        )
    change = cash + other - total
    rows = [p for p in clean if p.method != PaymentMethod.CASH]
    if cash - change > 0:
        rows.insert(0, PaymentIn(PaymentMethod.CASH, cash - change))
    return Tender(rows=rows, tendered=cash, change=change)
