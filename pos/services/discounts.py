"""Discounts of a cart: per line (amount or percent) and on the whole order.

Every discount ends up as cents without IVA on a line (SRI's `descuento` per
detalle; the sale's `totalDescuento` is their sum). An order discount is
spread over the lines in proportion to what is left of each after its own
discount, to the cent (`core.calc.spread`): the lines' shares add up to the
order discount exactly, in the currency the business types prices in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core import calc
from core.money import ZERO, round_money

from ..errors import DiscountNotAllowedError, SaleInputError

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class OrderDiscount:
    """The sale-level discount: an amount (typed as prices are) or a percent."""

    amount: Decimal = ZERO
    percent: Decimal | None = None

    def __bool__(self) -> bool:
        return bool(self.amount) or bool(self.percent)


@dataclass(frozen=True)
class Applied:
    """Net cents of discount per line, and the percent each discount took."""

    discounts: list[Decimal]  # per line, without IVA: own + share of the order's
    line_percents: list[Decimal]
    order_percent: Decimal

    def above(self, maximum: Decimal) -> str | None:
        """The field of the first discount above `maximum` percent, or None."""
        for i, percent in enumerate(self.line_percents):
            if percent > maximum:
                return f"lines[{i}].discount"
        return "discount" if self.order_percent > maximum else None


def _percent_in(value, *, field: str) -> Decimal:
    if value < 0 or value > HUNDRED:
        raise SaleInputError(
            _("El porcentaje de descuento debe estar entre 0 y 100."), field=field
        )
    return value


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole) if whole else ZERO


def discounts_apply(*, business, lines, inputs, order: OrderDiscount) -> Applied:
    """Each line's discount in net cents; `inputs` are its priced calc.LineInput."""
    includes_tax = business.prices_include_tax
    own, percents, left, weights = [], [], [], []
    for i, (line, priced) in enumerate(zip(lines, inputs, strict=True)):
        gross = round_money(priced.quantity * priced.unit_price)
        if line.discount_percent is not None:
            if line.discount:
                raise SaleInputError(
                    _("Indique el descuento como monto o como porcentaje, no ambos."),
                    field=f"lines[{i}].discount_percent",
                )
            field = f"lines[{i}].discount_percent"
            percent = _percent_in(line.discount_percent, field=field)
            net = round_money(gross * percent / HUNDRED)
        else:
            net = calc.discount_net(
                line.discount or ZERO, priced.tax_code, includes_tax=includes_tax
            )
            if net < 0 or net > gross:
                raise SaleInputError(
                    _("El descuento no puede ser negativo ni mayor que la línea."),
                    field=f"lines[{i}].discount",
                )
            percent = _share(net, gross)
        own.append(net)
        percents.append(percent)
        rest = gross - net
        left.append(rest)
        weights.append(_typed(rest, priced.tax_code, includes_tax=includes_tax))
    shares, order_percent = _order_spread(order, weights)
    discounts = []
    for net, rest, share, priced in zip(own, left, shares, inputs, strict=True):
        share_net = calc.discount_net(share, priced.tax_code, includes_tax=includes_tax)
        discounts.append(net + min(share_net, rest))
    return Applied(discounts, percents, order_percent)


def _typed(net: Decimal, tax_code: str, *, includes_tax: bool) -> Decimal:
    """A line amount as the business types prices (with IVA or without)."""
    return calc.gross_from_net(net, tax_code) if includes_tax else net


def _order_spread(order: OrderDiscount, weights) -> tuple[list[Decimal], Decimal]:
    whole = sum(weights, ZERO)
    if order.percent is not None:
        if order.amount:
            raise SaleInputError(
                _("Indique el descuento como monto o como porcentaje, no ambos."),
                field="discount_percent",
            )
        percent = _percent_in(order.percent, field="discount_percent")
        amount = round_money(whole * percent / HUNDRED)
    else:
        amount = order.amount or ZERO
        if amount < 0 or amount != round_money(amount):
            raise SaleInputError(
                _("El descuento debe ser positivo, con 2 decimales."), field="discount"
            )
        percent = _share(amount, whole)
    try:
        return calc.spread(amount, weights), percent
    except calc.CalcError:
        raise SaleInputError(
            _("El descuento no puede ser mayor que el total de la venta."),
            field="discount",
        )


def approval_refused(field: str) -> DiscountNotAllowedError:
    return DiscountNotAllowedError(
        _(
            "El descuento supera el máximo permitido al cajero: se requiere el PIN "
            "de un administrador."
        ),
        field=field,
    )
