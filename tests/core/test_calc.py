"""IVA arithmetic: examples checked by hand, then properties with hypothesis."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import calc
from core.money import round_money
from core.taxes import RATES

D = Decimal


def test_line_base_and_tax_are_rounded_half_up():
    # 3 × 3.913043 = 11.739129 → 11.74 ; 15 % of 11.74 = 1.761 → 1.76
    line = calc.line_compute(calc.LineInput(D("3"), D("3.913043"), "4"))
    assert (line.gross, line.base, line.tax, line.total) == (
        D("11.74"),
        D("11.74"),
        D("1.76"),
        D("13.50"),
    )


def test_discount_reduces_the_base_before_tax():
    line = calc.line_compute(calc.LineInput(D("2"), D("10"), "4", D("5.00")))
    assert (line.base, line.tax) == (D("15.00"), D("2.25"))


def test_half_cent_rounds_up():
    # 0.05 × 15 % = 0.0075 → 0.01 ; base 0.005 → 0.01
    assert calc.line_compute(calc.LineInput(D("1"), D("0.05"), "4")).tax == D("0.01")
    assert calc.line_compute(calc.LineInput(D("1"), D("0.005"), "0")).base == D("0.01")


def test_document_tax_is_rate_times_sum_of_bases_not_sum_of_line_taxes():
    # Three lines of 0.10 at 15 %: each line tax 0.015 → 0.02 (Σ 0.06),
    # but the document tax is 15 % × 0.30 = 0.045 → 0.05.
    totals = calc.sale_compute([calc.LineInput(D("1"), D("0.10"), "4")] * 3)
    assert totals.line_tax_sum == D("0.06")
    assert totals.taxes[0].tax == D("0.05")
    assert totals.total == D("0.35")
    assert abs(totals.tax - totals.line_tax_sum) <= calc.tax_tolerance(totals)


def test_totals_per_category_and_service_charge():
    totals = calc.sale_compute(
        [
            calc.LineInput(D("2"), D("4.50"), "4"),
            calc.LineInput(D("1"), D("1.20"), "0"),
            calc.LineInput(D("1"), D("5.00"), "5"),
        ],
        service_rate=D("10"),
    )
    by_code = {t.tax_code: (t.base, t.tax) for t in totals.taxes}
    assert by_code == {
        "0": (D("1.20"), D("0.00")),
        "4": (D("9.00"), D("1.35")),
        "5": (D("5.00"), D("0.25")),
    }
    assert [t.tax_code for t in totals.taxes] == ["0", "4", "5"]
    assert totals.subtotal == D("15.20")
    assert totals.service_charge == D("1.52")
    assert totals.total == D("15.20") + D("1.60") + D("1.52")


def test_price_entered_with_iva_is_split():
    net = calc.net_from_gross(D("4.50"), "4")
    assert net == D("3.913043")
    line = calc.line_compute(calc.LineInput(D("1"), net, "4"))
    assert line.total == D("4.50")
    assert calc.net_from_gross(D("1.20"), "0") == D("1.200000")


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (calc.LineInput(D("0"), D("1"), "4"), "quantity"),
        (calc.LineInput(D("-1"), D("1"), "4"), "quantity"),
        (calc.LineInput(D("1"), D("1"), "4", D("1.01")), "discount"),
        (calc.LineInput(D("1"), D("1"), "4", D("-0.01")), "discount"),
        (calc.LineInput(D("1"), D("-1"), "4"), "price"),
        (calc.LineInput(D("1"), D("1"), "99"), "tax"),
    ],
)
def test_invalid_lines_are_refused(line, code):
    with pytest.raises(calc.CalcError) as exc:
        calc.sale_compute([line])
    assert exc.value.code == code
    assert exc.value.index == 0


def test_empty_sale_is_refused():
    with pytest.raises(calc.CalcError):
        calc.sale_compute([])


def test_floats_are_refused():
    with pytest.raises(TypeError):
        calc.line_compute(calc.LineInput(1.5, D("1"), "4"))


quantities = st.decimals(
    min_value=D("0.000001"), max_value=D("1000"), places=6, allow_nan=False
)
prices = st.decimals(min_value=D("0"), max_value=D("5000"), places=6, allow_nan=False)
codes = st.sampled_from(sorted(RATES))


@st.composite
def line_inputs(draw):
    quantity = draw(quantities)
    price = draw(prices)
    gross = round_money(quantity * price)
    discount = draw(st.decimals(min_value=D("0"), max_value=gross, places=2))
    return calc.LineInput(quantity, price, draw(codes), discount)


sales = st.lists(line_inputs(), min_size=1, max_size=30)
service_rates = st.sampled_from([D("0"), D("10"), D("12.5")])


@settings(max_examples=300, deadline=None)
@given(sales, service_rates)
def test_total_is_sum_of_bases_taxes_and_service(lines, service_rate):
    totals = calc.sale_compute(lines, service_rate=service_rate)
    assert totals.total == (
        sum(r.base for r in totals.lines)
        + sum(t.tax for t in totals.taxes)
        + totals.service_charge
    )
    assert totals.subtotal == sum(t.base for t in totals.taxes)
    assert totals.total >= 0
    assert all(r.base >= 0 and r.tax >= 0 for r in totals.lines)
    for amount in (totals.total, totals.tax, totals.subtotal, totals.service_charge):
        assert amount == amount.quantize(D("0.01"))


@settings(max_examples=300, deadline=None)
@given(sales, service_rates)
def test_every_rounding_is_within_half_a_cent_of_the_exact_value(lines, rate):
    totals = calc.sale_compute(lines, service_rate=rate)
    half = D("0.005")
    for given_line, r in zip(lines, totals.lines, strict=True):
        exact_base = given_line.quantity * given_line.unit_price - r.discount
        assert abs(r.base - exact_base) <= half
        assert abs(r.tax - r.base * r.tax_rate / 100) <= half
    for t in totals.taxes:
        assert abs(t.tax - t.base * t.rate / 100) <= half
    assert abs(totals.service_charge - totals.subtotal * rate / 100) <= half
    assert abs(totals.tax - totals.line_tax_sum) <= calc.tax_tolerance(totals)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2),
    codes,
)
def test_gross_price_split_gives_back_the_gross_within_one_cent(gross, code):
    net = calc.net_from_gross(gross, code)
    line = calc.line_compute(calc.LineInput(D("1"), net, code))
    assert abs(line.total - gross) <= D("0.01")
    assert abs(net * (100 + RATES[code].rate) / 100 - gross) <= D("0.000001") * 2


def test_tiny_line_with_full_discount_is_zero_not_negative():
    # Found by hypothesis: 0.000001 × 5000 = 0.005 → 0.01, discount 0.01.
    line = calc.line_compute(calc.LineInput(D("0.000001"), D("5000"), "0", D("0.01")))
    assert (line.gross, line.base, line.total) == (D("0.01"), D("0.00"), D("0.00"))


# -- prices and discounts typed with or without IVA (issue 13: moved into calc) --
money_amounts = st.decimals(
    min_value=D("0"), max_value=D("99999"), places=2, allow_nan=False
)
unit_prices = st.decimals(
    min_value=D("0"), max_value=D("99999"), places=6, allow_nan=False
)
tax_codes = st.sampled_from(sorted(RATES))


@given(price=unit_prices, code=tax_codes)
def test_gross_from_net_is_the_catalogs_former_price_gross(price, code):
    rate = RATES[code].rate

    assert calc.gross_from_net(price, code) == round_money(price * (100 + rate) / 100)


@given(amount=money_amounts, code=tax_codes, includes_tax=st.booleans())
def test_net_price_is_the_catalogs_former_price_net(amount, code, includes_tax):
    rate = RATES[code].rate
    former = (
        (amount * 100 / (100 + rate)).quantize(D("0.000001"), rounding="ROUND_HALF_UP")
        if includes_tax
        else amount.quantize(D("0.000001"), rounding="ROUND_HALF_UP")
    )

    assert calc.net_price(amount, code, includes_tax=includes_tax) == former


@given(
    discount=st.decimals(
        min_value=D("0"), max_value=D("9999"), places=4, allow_nan=False
    ),
    code=tax_codes,
    includes_tax=st.booleans(),
)
def test_discount_net_is_the_checkouts_former_discount(discount, code, includes_tax):
    former = discount
    if former and includes_tax:
        former = calc.net_from_gross(former, code)

    assert calc.discount_net(discount, code, includes_tax=includes_tax) == (
        round_money(former)
    )


def test_a_discount_typed_with_iva_loses_the_iva_before_the_line():
    # 1.15 with IVA 15 % is 1.00 without; at IVA 0 % it stays 1.15.
    assert calc.discount_net(D("1.15"), "4", includes_tax=True) == D("1.00")
    assert calc.discount_net(D("1.15"), "0", includes_tax=True) == D("1.15")
    assert calc.discount_net(D("1.154"), "4", includes_tax=False) == D("1.15")
