"""An order discount spread over lines to the cent (issue 11)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calc import CalcError, spread

CENTS = st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c) / 100)


@given(
    weights=st.lists(CENTS, min_size=1, max_size=40),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_shares_add_up_exactly_and_stay_within_each_weight(weights, fraction):
    total = sum(weights, Decimal(0))
    amount = (total * fraction.numerator / fraction.denominator).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )

    shares = spread(amount, weights)

    assert sum(shares, Decimal(0)) == amount
    assert all(Decimal(0) <= s <= w for s, w in zip(shares, weights, strict=True))
    assert all(s == s.quantize(Decimal("0.01")) for s in shares)


def test_a_cent_left_over_goes_to_the_largest_remainder():
    # 1.00 over three equal lines: 0.34 + 0.33 + 0.33.
    assert spread(Decimal("1.00"), [Decimal("3.00")] * 3) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    assert spread(Decimal("0.10"), [Decimal("1.00"), Decimal("3.00")]) == [
        Decimal("0.03"),
        Decimal("0.07"),
    ]


def test_more_than_the_sale_is_refused():
    with pytest.raises(CalcError):
        spread(Decimal("5.01"), [Decimal("5.00")])
