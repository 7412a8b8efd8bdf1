"""N equal parts of a bill whose facturas add up to the bill's total, to the cent.

Each part is its own tax document, and SRI rounds IVA and propina per
document, so splitting every line's quantity by N can gain or lose a cent or
two. Instead the parts are cut in cents of each line's amount (its
`precioTotalSinImpuesto`), with every part but the last holding, per IVA
category, a base on which each rate (IVA and service) gives whole cents
(e.g. a multiple of 0.20 for 15 % and 10 %): those parts round nothing, so
the last part's rounding is the whole bill's rounding. Each part's quantity
of a line is the one whose amount is exactly its cents; the last part of a
line takes the rest of the quantity, so quantities add up exactly too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from math import lcm

from core.money import ZERO, round_money
from core.taxes import rate_for

MICRO = Decimal("0.000001")
HUNDRED = Decimal(100)


def grid_cents(rates) -> int:
    """The smallest base, in cents, on which every rate gives whole cents."""
    grid = 1
    for rate in rates:
        grid = lcm(grid, (Fraction(rate) / 100).denominator)
    return grid


def _cut(total: int, n: int, grid: int) -> list[int]:
    """Cumulative cut points 0 = c0 ≤ c1 ≤ … ≤ cn = total, all but cn on the grid."""
    top = total // grid * grid
    cuts = [0]
    for j in range(1, n):
        ideal = Fraction(total * j, n) / grid
        cuts.append(max(cuts[-1], min(int(ideal + Fraction(1, 2)) * grid, top)))
    cuts.append(total)
    return cuts


def _cents_per_part(items, n, grid) -> list[dict]:
    """Per part, the cents of each line: each category's lines as one stream."""
    cents = [{} for _ in range(n)]
    by_code = defaultdict(list)
    for item in items:
        by_code[item.tax_code].append(item)
    for lines in by_code.values():
        amounts = [int(round_money(i.quantity * i.unit_price) * 100) for i in lines]
        cuts = _cut(sum(amounts), n, grid)
        start = 0
        for item, amount in zip(lines, amounts, strict=True):
            end = start + amount
            for j in range(n):
                overlap = min(end, cuts[j + 1]) - max(start, cuts[j])
                if overlap > 0:
                    cents[j][item.pk] = overlap
            start = end
    return cents


@dataclass(frozen=True)
class PartLine:
    item: object  # an OrderItem (or anything with pk, quantity, unit_price, tax_code)
    quantity: Decimal


def split_equal(items, n: int, *, service_rate=ZERO) -> list[list[PartLine]]:
    """N parts (fewer if the bill is too small to cut in N)."""
    line = PartLine
    grid = grid_cents([rate_for(i.tax_code) for i in items] + [service_rate])
    cents = _cents_per_part(items, n, grid)
    parts = [[] for _ in range(n)]
    for item in items:
        shares = [(j, cents[j][item.pk]) for j in range(n) if item.pk in cents[j]]
        if not shares:  # nothing to pay (a free item): all of it in the first part
            parts[0].append(line(item, item.quantity))
            continue
        exact = item.quantity * item.unit_price
        # Round every early quantity the way that keeps the rest's amount on its
        # own cents (see the module docstring): up when the line rounded down.
        rounding = ROUND_CEILING if exact >= round_money(exact) else ROUND_FLOOR
        used = ZERO
        for j, amount in shares[:-1]:
            quantity = (Decimal(amount) / HUNDRED / item.unit_price).quantize(
                MICRO, rounding=rounding
            )
            parts[j].append(line(item, quantity))
            used += quantity
        parts[shares[-1][0]].append(line(item, item.quantity - used))
    return [p for p in parts if p]
