"""Daily roll-ups reconcile to the cent with the raw sales, late voids included."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from backoffice.reports import selectors
from backoffice.reports.models import DailyPayment, DailyProduct, DailySales
from backoffice.reports.services import rollup_day, rollup_pending
from backoffice.tenancy.context import tenant_context
from pos.models import Sale
from pos.services import PaymentIn, sale_void
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db


def rolled_days() -> int:
    """Closed days rolled up (each has one row without establishment)."""
    return DailySales.objects.filter(establishment__isnull=True).count()


def days_ago(n: int, hour: int = 12):
    day = timezone.localdate() - timedelta(days=n)
    return selectors.day_start(day) + timedelta(hours=hour)


@pytest.fixture
def history(business, post, product):
    """Five days of sales: two products, cash and card, one just before midnight."""
    water = make_product(business, code="AGUA", name="Agua", price="0.870000", tax="0")
    sales = []
    for n in range(5, 0, -1):
        sales.append(post([(product, 1), (water, 3)], posted_at=days_ago(n)))
        sales.append(
            post(
                [(product, 2, "0.10")],
                [PaymentIn("19", Decimal("4.50"))],
                posted_at=days_ago(n, hour=23) + timedelta(minutes=59),
            )
        )
    sales.append(post([(water, 7)]))  # today, never rolled up
    return sales


def report(business, first_day, last_day, establishment=None):
    args = {
        "business": business,
        "since": selectors.day_start(first_day),
        "until": selectors.day_start(last_day + timedelta(days=1)),
    }
    split = selectors.period_split(**args, establishment=establishment)
    return (
        selectors.sales_by_day(**args, split=split),
        selectors.sales_by_payment(**args, split=split),
        selectors.top_products(**args, split=split),
        selectors.sales_summary(**args, establishment=establishment),
    )


def raw_report(business, first_day, last_day, establishment=None):
    """The same figures computed by hand from the sales (no SQL aggregation)."""
    days, payments, products = {}, {}, {}
    sales = Sale.objects.filter(business=business).prefetch_related("lines", "payments")
    if establishment is not None:
        sales = sales.filter(establishment_id=establishment)
    for sale in sales:
        day = timezone.localtime(sale.posted_at).date()
        if hasattr(sale, "void") or not first_day <= day <= last_day:
            continue
        row = days.setdefault(day, [0, Decimal(0), Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += sale.subtotal
        row[2] += sale.tax_total
        row[3] += sale.total
        for payment in sale.payments.all():
            found = payments.setdefault(payment.method, [0, Decimal(0)])
            found[0] += 1
            found[1] += payment.amount
        for line in sale.lines.all():
            found = products.setdefault(
                (line.code, line.name), [Decimal(0), Decimal(0)]
            )
            found[0] += line.quantity
            found[1] += line.base
    return days, payments, products


def assert_reconciles(business, first_day, last_day, establishment=None):
    days, payments, products, summary = report(
        business, first_day, last_day, establishment
    )
    raw_days, raw_payments, raw_products = raw_report(
        business, first_day, last_day, establishment
    )
    assert {
        d["day"]: [d["tickets"], d["subtotal"], d["tax"], d["total"]] for d in days
    } == raw_days
    assert {p["method"]: [p["count"], p["amount"]] for p in payments} == raw_payments
    assert {
        (p["code"], p["name"]): [p["quantity"], p["base"]] for p in products
    } == raw_products
    assert summary == (
        sum((row[3] for row in raw_days.values()), Decimal("0.00")),
        sum(row[0] for row in raw_days.values()),
    )
    return days


def test_rolled_up_days_reconcile_with_the_raw_sales(business, history):
    today = timezone.localdate()
    with tenant_context(business):
        before = assert_reconciles(business, today - timedelta(days=6), today)
        assert rollup_pending(business=business) == 5
        assert rolled_days() == 5
        assert DailyProduct.objects.filter(code="AGUA").count() == 5
        assert DailyPayment.objects.filter(method="19").count() == 5
        after = assert_reconciles(business, today - timedelta(days=6), today)
        assert after == before and len(after) == 6
        assert_reconciles(
            business, today - timedelta(days=3), today - timedelta(days=2)
        )
        # idempotent: nothing left to do
        assert rollup_pending(business=business) == 0


def test_a_late_void_reopens_its_day_and_the_next_rollup_closes_it(
    business, history, owner
):
    today = timezone.localdate()
    with tenant_context(business):
        rollup_pending(business=business)
        three_days_ago = history[4]  # posted three days ago, voided today
        sale_void(business=business, sale=three_days_ago, actor=owner, reason="error")
        assert not DailySales.objects.filter(day=today - timedelta(days=3)).exists()
        assert rolled_days() == 4
        days = assert_reconciles(business, today - timedelta(days=6), today)
        assert [d["tickets"] for d in days] == [2, 2, 1, 2, 2, 1]
        assert rollup_pending(business=business) == 1
        assert assert_reconciles(business, today - timedelta(days=6), today) == days


def test_a_late_sale_reopens_its_day(business, history, post, product):
    today = timezone.localdate()
    with tenant_context(business):
        rollup_pending(business=business)
        post([(product, 5)], posted_at=days_ago(2, hour=9))
        assert rolled_days() == 4
        days = assert_reconciles(business, today - timedelta(days=6), today)
        assert [d["tickets"] for d in days] == [2, 2, 2, 3, 2, 1]


def test_only_closed_days_roll_up(business, history):
    with tenant_context(business), pytest.raises(ValueError):
        rollup_day(business=business, day=timezone.localdate())


def test_rollups_are_per_business(business, other_business, history):
    call_command("rollup_days", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with tenant_context(other_business):
        assert rolled_days() == 0
        assert report(
            other_business,
            timezone.localdate() - timedelta(days=6),
            timezone.localdate(),
        )[3] == (Decimal("0.00"), 0)
    with tenant_context(business):
        assert rolled_days() == 5


def test_rollups_per_establishment_reconcile_and_add_up_to_the_business(
    business, history, owner, product
):
    """A second shop of the same business: each one's figures on its own, and
    the two together are the business's, before and after the roll-up."""
    from backoffice.tenancy.models import EmissionPoint, Establishment
    from pos.models import CashSession
    from pos.services import LineIn, sale_post

    today = timezone.localdate()
    first = today - timedelta(days=6)
    with tenant_context(business):
        main = Sale.objects.first().establishment_id
        branch = Establishment.objects.create(business=business, code="002", name="Sur")
        point = EmissionPoint.objects.create(
            business=business, establishment=branch, code="001"
        )
        CashSession.objects.create(
            business=business,
            emission_point=point,
            opened_by=owner,
            opening_float=Decimal(0),
        )
        for n in (4, 2, 0):
            sale_post(
                business=business,
                point=point,
                cashier=owner,
                lines=[LineIn(product_id=product.pk, quantity=Decimal(n + 1))],
                payments=[PaymentIn("01", Decimal("100.00"))],
                key=uuid.uuid4(),
                posted_at=days_ago(n) if n else None,
            )
        for rolled in (False, True):
            if rolled:
                assert rollup_pending(business=business) == 5
            whole = assert_reconciles(business, first, today)
            south = assert_reconciles(business, first, today, branch.pk)
            north = assert_reconciles(business, first, today, main)
            assert [d["tickets"] for d in south] == [1, 1, 1]
            by_day = {}
            for row in north + south:
                by_day[row["day"]] = by_day.get(row["day"], Decimal(0)) + row["total"]
            assert by_day == {d["day"]: d["total"] for d in whole}
