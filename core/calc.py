"""Tax arithmetic of a sale: lines, discounts, IVA per category, propina, totals.

Pure functions over Decimals (no models, no database), shared by the POS,
receipts, the SRI XML and reports. The rules follow what SRI validates:

- line base (precioTotalSinImpuesto) = quantity × unit price rounded half-up
  to cents, minus the discount (in cents); unit prices travel with 6
  decimals, without IVA;
- line IVA = rate × line base, rounded half-up;
- document IVA per category = rate × Σ bases of that category, rounded
  half-up (it may differ from Σ line IVA by at most half a cent per line);
- propina (service charge) = service rate × Σ bases, rounded half-up;
- total (importeTotal) = Σ bases + Σ document IVA + propina.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, round_money, round_unit, to_decimal
from .taxes import rate_for

HUNDRED = Decimal("100")
HALF_CENT = Decimal("0.005")


class CalcError(ValueError):
    """Invalid input to the tax arithmetic (the POS maps it to a 4xx)."""

    def __init__(self, message: str, *, code: str, index: int | None = None):
        super().__init__(message)
        self.code = code
        self.index = index


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal  # without IVA, up to 6 decimals
    tax_code: str
    discount: Decimal = ZERO  # money, without IVA


@dataclass(frozen=True)
class LineResult:
    quantity: Decimal
    unit_price: Decimal
    tax_code: str
    tax_rate: Decimal
    gross: Decimal  # quantity × unit price, to cents, before discount
    discount: Decimal
    base: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.tax


@dataclass(frozen=True)
class TaxTotal:
    tax_code: str
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class SaleTotals:
    lines: list[LineResult]
    taxes: list[TaxTotal]  # one per tax category present, ordered by code
    subtotal: Decimal  # Σ bases (totalSinImpuestos)
    discount: Decimal  # Σ line discounts (totalDescuento)
    tax: Decimal  # Σ document IVA
    service_charge: Decimal  # propina
    total: Decimal  # importeTotal
    line_tax_sum: Decimal = field(default=ZERO)  # Σ line IVA, for the tolerance check


def net_from_gross(amount, tax_code: str) -> Decimal:
    """Split an amount typed with IVA into its amount without IVA (6 decimals)."""
    rate = rate_for(tax_code)
    return round_unit(to_decimal(amount) * HUNDRED / (HUNDRED + rate))


def gross_from_net(amount, tax_code: str) -> Decimal:
    """The amount with IVA, to the cent, of an amount without it (a unit price)."""
    rate = rate_for(tax_code)
    return round_money(to_decimal(amount) * (HUNDRED + rate) / HUNDRED)


def net_price(amount, tax_code: str, *, includes_tax: bool) -> Decimal:
    """A price typed with or without IVA, without IVA (6 decimals)."""
    if includes_tax:
        return net_from_gross(amount, tax_code)
    return round_unit(amount)


def discount_net(amount, tax_code: str, *, includes_tax: bool) -> Decimal:
    """A line discount typed as the business types prices, in cents without IVA."""
    if amount and includes_tax:
        amount = net_from_gross(amount, tax_code)
    return round_money(amount)


def spread(amount, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` (cents) over `weights` in proportion, to the cent.

    Largest remainder: each share is its proportional part rounded down to the
    cent, and the cents left over go to the largest remainders (the earliest
    on a tie), so the shares add up to `amount` exactly and none exceeds its
    weight while `amount` ≤ Σ weights.
    """
    amount = round_money(amount)
    total = sum(weights, ZERO)
    if amount < 0 or any(w < 0 for w in weights):
        raise CalcError("amounts must not be negative", code="discount")
    if amount > total:
        raise CalcError("discount above the sale amount", code="discount")
    if not amount:
        return [ZERO for _ in weights]
    cents = int(amount * 100)
    exact = [cents * int(round_money(w) * 100) for w in weights]
    whole = int(round_money(total) * 100)
    floors = [e // whole for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % whole), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(f) / 100 for f in floors]


def line_compute(line: LineInput, *, index: int = 0) -> LineResult:
    quantity = to_decimal(line.quantity)
    unit_price = to_decimal(line.unit_price)
    discount = round_money(line.discount)
    if quantity <= 0:
        raise CalcError("quantity must be positive", code="quantity", index=index)
    if unit_price < 0:
        raise CalcError("unit price must not be negative", code="price", index=index)
    if discount < 0:
        raise CalcError("discount must not be negative", code="discount", index=index)
    try:
        rate = rate_for(line.tax_code)
    except KeyError:
        raise CalcError("unknown tax category", code="tax", index=index)
    exact = quantity * unit_price
    gross = round_money(exact)
    if discount > gross:
        raise CalcError("discount above the line amount", code="discount", index=index)
    # Round the amount first, then subtract the (cent) discount: the base stays
    # within half a cent of the exact value and can never go below zero.
    base = gross - discount
    tax = round_money(base * rate / HUNDRED)
    return LineResult(
        quantity=quantity,
        unit_price=unit_price,
        tax_code=str(line.tax_code),
        tax_rate=rate,
        gross=gross,
        discount=discount,
        base=base,
        tax=tax,
    )


def taxes_compute(lines: list[LineResult]) -> list[TaxTotal]:
    bases: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        bases[line.tax_code] += line.base
    result = []
    for code in sorted(bases, key=int):
        rate = rate_for(code)
        base = bases[code]
        result.append(
            TaxTotal(
                tax_code=code, rate=rate, base=base, tax=round_money(base * rate / 100)
            )
        )
    return result


def sale_compute(lines: list[LineInput], *, service_rate=ZERO) -> SaleTotals:
    """Compute every line and the document totals of a sale."""
    if not lines:
        raise CalcError("a sale needs at least one line", code="lines")
    service_rate = to_decimal(service_rate)
    if service_rate < 0:
        raise CalcError("service rate must not be negative", code="service")
    results = [line_compute(line, index=i) for i, line in enumerate(lines)]
    taxes = taxes_compute(results)
    subtotal = sum((t.base for t in taxes), ZERO)
    tax = sum((t.tax for t in taxes), ZERO)
    service_charge = round_money(subtotal * service_rate / HUNDRED)
    return SaleTotals(
        lines=results,
        taxes=taxes,
        subtotal=subtotal,
        discount=sum((r.discount for r in results), ZERO),
        tax=tax,
        service_charge=service_charge,
        total=subtotal + tax + service_charge,
        line_tax_sum=sum((r.tax for r in results), ZERO),
    )


def tax_tolerance(totals: SaleTotals) -> Decimal:
    """Largest legitimate gap between document IVA and Σ line IVA.

    Each line and each category total is rounded once, by at most half a cent.
    """
    return HALF_CENT * (len(totals.lines) + len(totals.taxes))
