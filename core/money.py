"""Money helpers: the one place where amounts are rounded.

SRI validates document amounts at 2 decimals rounded half-up; unit prices and
quantities travel with up to 6 decimals.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
ZERO = Decimal("0.00")


def to_decimal(value) -> Decimal:
    """Convert ints, strings and Decimals (never floats) to Decimal."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_money(value) -> Decimal:
    """Round to cents, half-up, as SRI does."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit(value) -> Decimal:
    """Round unit prices and quantities to 6 decimals, half-up."""
    return to_decimal(value).quantize(MICRO, rounding=ROUND_HALF_UP)
