"""Scale labels: EAN-13 codes a weighing scale prints (prefix 2X).

Layout 2X PPPPP VVVVV C: `2X` is the GS1 in-store prefix (20–29), PPPPP the
product's code at the scale (PLU), VVVVV the weight in grams or the price in
cents (the business says which, `Business.scale_barcodes`), C the check digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stdnum import ean

GRAMS_PER_KG = Decimal("1000")
CENTS = Decimal("100")


@dataclass(frozen=True)
class ScaleLabel:
    plu: str  # as printed, zeros kept: "00042"
    value: Decimal  # kilograms (weight) or dollars (price)


def scale_label_parse(code: str, *, mode: str) -> ScaleLabel | None:
    """The PLU and weight/price of a scale label, or None if `code` is not one."""
    if mode not in ("weight", "price"):
        return None
    if len(code) != 13 or not code.isdigit() or code[0] != "2":
        return None
    if not ean.is_valid(code):
        return None
    raw = Decimal(int(code[7:12]))
    value = raw / GRAMS_PER_KG if mode == "weight" else raw / CENTS
    return ScaleLabel(plu=code[2:7], value=value)


def plu_codes(plu: str) -> list[str]:
    """Product codes a PLU may be stored as: "00042" or "42"."""
    short = plu.lstrip("0") or "0"
    return [plu] if short == plu else [plu, short]
