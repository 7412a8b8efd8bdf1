"""Reorder suggestions against hand-computed examples."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from backoffice.reports import reorder
from backoffice.tenancy.context import tenant_context
from tests.pos.conftest import make_product

from .conftest import days_ago, poster

MONDAY = date(2026, 11, 30)  # a Monday: tomorrow is a Tuesday


def test_steady_sales_two_a_day():
    history = {MONDAY - timedelta(days=n): Decimal(2) for n in range(1, 57)}
    velocity, cover, order = reorder.plan(
        history, today=MONDAY, stock=Decimal(10), lead_days=3, target_days=14
    )
    # 2 a day: 10 units last 5 days; 17 days of need = 34, less 10 in stock
    assert (velocity, cover, order) == (Decimal("2.00"), 5, 24)


def test_weekday_aware_and_recent_weeks_weigh_more():
    saturday = MONDAY - timedelta(days=2)
    # 7 sold last Saturday only, nothing on the seven Saturdays before
    history = {saturday: Decimal(7)}
    rates = reorder.weekday_rates(history, MONDAY)
    weights = sum(Decimal("0.7") ** n for n in range(8))  # 3.1411733...
    assert rates[5] == Decimal(7) / weights  # 2.2285 a Saturday
    assert rates[:5] == [0] * 5 and rates[6] == 0
    # the same 7 units eight weeks ago weigh 0.7^7 = 0.0824 as much
    old = reorder.weekday_rates({saturday - timedelta(weeks=7): Decimal(7)}, MONDAY)
    assert old[5] == Decimal(7) * Decimal("0.7") ** 7 / weights
    # 1 unit in stock lasts Tuesday to Friday, and runs out on Saturday
    velocity, cover, order = reorder.plan(
        history, today=MONDAY, stock=Decimal(1), lead_days=3, target_days=4
    )
    assert cover == 4
    # 7 days (Tue..Mon) include one Saturday: 2.2285 − 1 in stock → order 2
    assert order == 2
    assert velocity == Decimal("0.32")  # 2.2285 / 7


def test_nothing_sold_means_no_order_and_no_cover():
    assert reorder.plan({}, today=MONDAY, stock=Decimal(5)) == (
        Decimal("0.00"),
        None,
        0,
    )


@given(
    daily=st.lists(
        st.decimals(min_value=0, max_value=500, places=3), min_size=56, max_size=56
    ),
    stock=st.decimals(min_value=-50, max_value=5000, places=3),
    lead=st.integers(min_value=0, max_value=30),
    target=st.integers(min_value=1, max_value=60),
)
def test_the_order_covers_the_forecast_and_no_more_than_a_unit_over(
    daily, stock, lead, target
):
    history = {MONDAY - timedelta(days=n + 1): q for n, q in enumerate(daily)}
    rates = reorder.weekday_rates(history, MONDAY)
    demand = sum(
        rates[(MONDAY + timedelta(days=n + 1)).weekday()] for n in range(lead + target)
    )
    _velocity, _cover, order = reorder.plan(
        history, today=MONDAY, stock=stock, lead_days=lead, target_days=target
    )
    have = max(stock, Decimal(0))
    assert order >= 0
    assert have + order >= demand
    assert order == 0 or have + order - demand < 1


@pytest.mark.django_db
def test_suggestions_from_real_sales_exclude_voids_and_other_businesses(
    business, other_business, owner
):
    from pos.services import sale_void

    pan = make_product(business, code="PAN", name="Pan", price="0.20", stock="40")
    make_product(business, code="SAL", name="Sal", price="1.00", stock="30")
    sell = poster(business)
    sales = [sell([(pan, "4")], posted_at=days_ago(7 * w + 1)) for w in range(8)]
    theirs = make_product(
        other_business, code="PAN", name="Pan", price="0.2", stock="20"
    )
    poster(other_business)([(theirs, "9")], posted_at=days_ago(2))
    with tenant_context(business):
        sale_void(business=business, sale=sales[0], actor=owner, reason="error")
        suggestions = reorder.suggestions(business=business, lead_days=2, target_days=5)
    by_code = {s.code: s for s in suggestions}
    today = timezone.localdate()
    history = {today - timedelta(days=7 * w + 1): Decimal(4) for w in range(1, 8)}
    stock = Decimal(40 - 4 * 7)  # 8 sales of 4, one voided, from 40
    assert by_code["PAN"].stock == stock
    expected = reorder.plan(
        history, today=today, stock=stock, lead_days=2, target_days=5
    )
    assert (
        by_code["PAN"].velocity,
        by_code["PAN"].cover_days,
        by_code["PAN"].suggested,
    ) == expected
    assert by_code["SAL"].suggested == 0 and by_code["SAL"].cover_days is None
    assert suggestions[0].code == "PAN"  # the most urgent first
    assert len(suggestions) == 2  # not the other business's PAN
