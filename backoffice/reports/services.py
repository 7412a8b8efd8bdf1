"""Daily roll-ups: sum a closed day once, reopen it when a late void or sale changes it.

Correct under concurrency on PostgreSQL: a roll-up holds the business's roll-up
lock exclusively while it reads and writes; a void or a late sale takes it
shared before deleting the day's rows, inside its own transaction. Whichever
commits first, the other sees it: a roll-up that waited reads the void, and a
void that waited deletes the rows the roll-up just wrote. SQLite runs one
writer at a time, so needs no lock.
"""

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from pos.models import Sale

from . import selectors
from .models import DailyFigure, DailyPayment, DailyProduct, DailySales

# pg_advisory_xact_lock key space of the roll-ups: this prefix + the business id.
_LOCK_PREFIX = 0x5250_0000_0000_0000
MAX_DAYS = 400  # how far back a catch-up goes


def _lock(business, *, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_LOCK_PREFIX + business.pk])


def _delete_day(business, day: date) -> None:
    for model in (DailySales, DailyPayment, DailyProduct, DailyFigure):
        model.objects.for_business(business).filter(day=day).delete()


@transaction.atomic
def rollup_day(*, business, day: date) -> DailySales:
    """Sum one closed day (before today) into the roll-up tables, replacing them."""
    if day >= timezone.localdate():
        raise ValueError(f"{day} is not closed yet")
    _lock(business, shared=False)
    _delete_day(business, day)
    bounds = {
        "since": selectors.day_start(day),
        "until": selectors.day_start(day + timedelta(days=1)),
    }
    # The mark that the day is rolled up, whether it had sales or not.
    summary = DailySales.objects.create(
        business=business,
        day=day,
        tickets=0,
        subtotal=selectors.ZERO,
        tax=selectors.ZERO,
        total=selectors.ZERO,
    )
    places = (
        Sale.objects.for_business(business)
        .filter(posted_at__gte=bounds["since"], posted_at__lt=bounds["until"])
        .values_list("establishment_id", flat=True)
        .distinct()
        .order_by()
    )
    for place in list(places):
        _rollup_place(business=business, day=day, bounds=bounds, place=place)
    return summary


def _rollup_place(*, business, day: date, bounds: dict, place: int) -> None:
    """One establishment's sales of a closed day, in every roll-up table."""
    args = {"business": business, **bounds}
    args["split"] = selectors.PeriodSplit.live_only(**args, establishment=place)
    common = {"business": business, "day": day, "establishment_id": place}
    days = selectors.sales_by_day(**args)
    totals = days[0] if days else {}
    DailySales.objects.create(
        **common,
        tickets=totals.get("tickets", 0),
        subtotal=totals.get("subtotal") or selectors.ZERO,
        tax=totals.get("tax") or selectors.ZERO,
        total=totals.get("total") or selectors.ZERO,
    )
    DailyPayment.objects.bulk_create(
        DailyPayment(**common, **row) for row in selectors.sales_by_payment(**args)
    )
    DailyProduct.objects.bulk_create(
        DailyProduct(business=business, day=day, **row)
        for row in selectors.top_products(**args, limit=None, per_place=True)
    )
    DailyFigure.objects.bulk_create(
        DailyFigure(**common, dimension=dimension, **row)
        for dimension in DailyFigure.Dimension.values
        for row in selectors.sales_by(**args, dimension=dimension)
    )


def rollup_pending(*, business, today: date | None = None) -> int:
    """Roll up every closed day not rolled up yet (at most MAX_DAYS back)."""
    today = today or timezone.localdate()
    first_sale = (
        Sale.objects.for_business(business)
        .order_by("posted_at")
        .values_list("posted_at", flat=True)
        .first()
    )
    if first_sale is None:
        return 0
    first = max(timezone.localtime(first_sale).date(), today - timedelta(MAX_DAYS))
    done = set(
        DailySales.objects.for_business(business)
        .filter(day__gte=first, establishment__isnull=True)
        .values_list("day", flat=True)
    )
    days = [
        first + timedelta(n)
        for n in range((today - first).days)
        if first + timedelta(n) not in done
    ]
    for day in days:
        rollup_day(business=business, day=day)
    return len(days)


def rollup_invalidate(*, business, at: datetime) -> None:
    """A sale or void of the moment `at` changed: reopen its day if rolled up.

    Call inside the transaction that makes the change.
    """
    day = timezone.localtime(at).date()
    if day >= timezone.localdate():
        return  # today is never rolled up
    _lock(business, shared=True)
    _delete_day(business, day)
