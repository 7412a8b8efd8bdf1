"""The cash endpoints' request bodies (see pos.schema for the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice import limits

from .errors import CashInputError
from .schema import mapping, money, optional_ident, text


@dataclass(frozen=True)
class SessionOpenBody:
    emission_point: int | None
    opening_float: Decimal


def session_open_body(data: dict) -> SessionOpenBody:
    return SessionOpenBody(
        emission_point=optional_ident(
            data.get("emission_point"), "emission_point", error=CashInputError
        ),
        opening_float=money(
            data.get("opening_float"), "opening_float", error=CashInputError, default=0
        ),
    )


@dataclass(frozen=True)
class MovementBody:
    kind: str
    amount: Decimal
    reason: str


def movement_body(data: dict) -> MovementBody:
    return MovementBody(
        kind=text(data.get("kind"), "kind", max_length=8, error=CashInputError),
        amount=money(data.get("amount"), "amount", error=CashInputError),
        reason=text(data.get("reason"), "reason", error=CashInputError),
    )


@dataclass(frozen=True)
class CloseBody:
    counted: dict[str, Decimal]
    note: str


def close_body(data: dict) -> CloseBody:
    raw = data.get("counted") or {}
    raw = mapping(raw, "counted", error=CashInputError)
    if len(raw) > limits.MAX_PAYMENTS:
        raise CashInputError(_("Demasiadas formas de pago."), field="counted")
    counted = {}
    for method, value in raw.items():
        name = f"counted.{text(method, 'counted', max_length=2, error=CashInputError)}"
        counted[method] = money(value, name, error=CashInputError)
    return CloseBody(
        counted=counted, note=text(data.get("note"), "note", error=CashInputError)
    )
