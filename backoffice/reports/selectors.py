"""Read-side queries for the dashboard and reports."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, Round, TruncDate
from django.utils import timezone

from backoffice.inventory.models import StockLevel
from core.dates import day_start
from core.money import ZERO
from pos.models import Payment, Sale, SaleLine, SaleTax, Void

from .models import DailyFigure, DailyPayment, DailyProduct, DailySales


def low_stock_count(*, business, establishment=None) -> int:
    levels = StockLevel.objects.for_business(business).filter(
        product__track_stock=True,
        product__is_active=True,
        quantity__lte=F("product__low_stock_threshold"),
    )
    if establishment is not None:
        levels = levels.filter(establishment_id=establishment)
    return levels.count()


def negative_stock_count(*, business, establishment=None) -> int:
    """Stock levels below zero: sold before they were received (or miscounted)."""
    levels = StockLevel.objects.for_business(business).filter(
        product__track_stock=True, product__is_active=True, quantity__lt=0
    )
    if establishment is not None:
        levels = levels.filter(establishment_id=establishment)
    return levels.count()


def not_voided(*, business, sale: str = "pk"):
    """A filter for sales (or rows of a sale, `sale="sale_id"`) that were not voided.

    A real anti-join: `void__isnull=True` becomes a LEFT JOIN that PostgreSQL 15
    estimates at one row and runs as a nested loop over every sale (issue 16).
    """
    return ~Exists(Void.objects.for_business(business).filter(sale_id=OuterRef(sale)))


def sales_summary(
    *, business, since: datetime, until: datetime, establishment=None
) -> tuple[Decimal, int]:
    """Total and count of the sales posted in [since, until) that were not voided."""
    split = period_split(
        business=business, since=since, until=until, establishment=establishment
    )
    row = (
        Sale.objects.for_business(business)
        .filter(split.live, not_voided(business=business))
        .aggregate(total=Sum("total"), count=Count("id"))
    )
    rolled = split.rolled(DailySales).aggregate(
        total=Sum("total"), count=Sum("tickets")
    )
    total = (row["total"] or ZERO) + (rolled["total"] or ZERO)
    return total, row["count"] + (rolled["count"] or 0)


@dataclass(frozen=True)
class PeriodSplit:
    """A period as closed days read from the roll-ups plus the rest read live."""

    business: object
    first: date
    last: date
    live: Q  # on Sale.posted_at; prefix with `sale__` through `live_on`
    has_rolled: bool

    @property
    def reads_closed_days_live(self) -> bool:
        """Whether a roll-up would spare work: a closed day is read live."""
        return self.first < timezone.localdate() and (
            not self.has_rolled or self.gaps_before_today
        )

    gaps_before_today: bool = False
    # One establishment's sales only (its id), or None for the whole business.
    establishment: int | None = None

    @classmethod
    def live_only(
        cls, *, business, since: datetime, until: datetime, establishment=None
    ):
        """The period read live whole (how a roll-up reads its own day)."""
        first = timezone.localtime(since).date()
        last = timezone.localtime(until).date() - timedelta(days=1)
        live = Q(posted_at__gte=since, posted_at__lt=until) & _at(establishment)
        return cls(business, first, last, live, False, establishment=establishment)

    def rolled(self, model):
        """The roll-up rows of the period (none when no day is rolled up)."""
        rows = model.objects.for_business(self.business)
        if not self.has_rolled:
            return rows.none()
        rows = rows.filter(day__gte=self.first, day__lte=self.last)
        if self.establishment is not None:
            rows = rows.filter(establishment_id=self.establishment)
        return rows

    def live_on(self, prefix: str) -> Q:
        """The live filter through a relation, with the sale's business named.

        Naming `sale__business` lets PostgreSQL use the sales' (business,
        posted_at) index; without it, it scans every sale (row-level security
        is not an index condition).
        """
        business = Q(**{f"{prefix}business": self.business})
        return business & _prefixed(self.live, prefix)


def _at(establishment) -> Q:
    """Sales of one establishment, or of all (an empty filter)."""
    return Q() if establishment is None else Q(establishment_id=establishment)


def _prefixed(q: Q, prefix: str) -> Q:
    clone = Q()
    clone.connector, clone.negated = q.connector, q.negated
    clone.children = [
        _prefixed(child, prefix)
        if isinstance(child, Q)
        else (prefix + child[0], child[1])
        for child in q.children
    ]
    return clone


def period_split(
    *, business, since: datetime, until: datetime, establishment=None
) -> PeriodSplit:
    """Split [since, until) into rolled-up closed days and live ranges.

    One query (the rolled-up days); the live part is one filter however many
    gaps there are (today, days reopened by a late void). A period that does
    not start and end at local midnight is read live whole. `establishment`
    (an id) narrows both parts to that establishment's sales.
    """
    first = timezone.localtime(since).date()
    last = timezone.localtime(until).date() - timedelta(days=1)
    live_only = PeriodSplit.live_only(
        business=business, since=since, until=until, establishment=establishment
    )
    if day_start(first) != since or day_start(last + timedelta(days=1)) != until:
        return live_only
    rolled = list(
        DailySales.objects.for_business(business)
        .filter(day__gte=first, day__lte=last, establishment__isnull=True)
        .order_by("day")
        .values_list("day", flat=True)
    )
    if not rolled:
        return live_only
    ranges, cursor = [], first
    for day in [*rolled, last + timedelta(days=1)]:
        if day > cursor:
            ranges.append((cursor, day))
        cursor = day + timedelta(days=1)
    live = Q(pk__in=[])  # nothing, when every day is rolled up
    for begin, end in ranges:
        live |= Q(posted_at__gte=day_start(begin), posted_at__lt=day_start(end))
    today = timezone.localdate()
    gaps = any(begin < today for begin, _end in ranges)
    live &= _at(establishment)
    return PeriodSplit(business, first, last, live, True, gaps, establishment)


def _valid_sales(*, business, split: PeriodSplit):
    return Sale.objects.for_business(business).filter(
        split.live, not_voided(business=business)
    )


def sales_by_day(
    *, business, since: datetime, until: datetime, split: PeriodSplit | None = None
) -> list[dict]:
    """Per local day: tickets, base, IVA and total of non-voided sales."""
    split = split or period_split(business=business, since=since, until=until)
    live = list(
        _valid_sales(business=business, split=split)
        .annotate(day=TruncDate("posted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            tickets=Count("id"),
            subtotal=Sum("subtotal"),
            tax=Sum("tax_total"),
            total=Sum("total"),
        )
        .order_by("day")
    )
    rolled = list(
        split.rolled(DailySales)
        .filter(tickets__gt=0)
        .values("day")
        .annotate(
            tickets=Sum("tickets"),
            subtotal=Sum("subtotal"),
            tax=Sum("tax"),
            total=Sum("total"),
        )
        .order_by()
    )
    return sorted(live + rolled, key=lambda row: row["day"])


def sales_by_payment(
    *, business, since: datetime, until: datetime, split: PeriodSplit | None = None
) -> list[dict]:
    split = split or period_split(business=business, since=since, until=until)
    live = (
        Payment.objects.for_business(business)
        .filter(split.live_on("sale__"), not_voided(business=business, sale="sale_id"))
        .values("method")
        .annotate(count=Count("id"), amount=Sum("amount"))
    )
    rolled = (
        split.rolled(DailyPayment)
        .values("method")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    return _merge(["method"], ["count", "amount"], live, rolled, key="method")


def top_products(
    *,
    business,
    since: datetime,
    until: datetime,
    limit: int | None = 15,
    split: PeriodSplit | None = None,
    per_place: bool = False,
) -> list[dict]:
    """Per product (code and name as sold): quantity, base, cost and category.

    The cost of a line is its quantity times the product's cost, rounded to the
    cent line by line; a closed day keeps the cost it was rolled up with.
    `per_place` also splits the rows by product id and establishment (what a
    roll-up stores).
    """
    split = split or period_split(business=business, since=since, until=until)
    line_cost = Round(
        ExpressionWrapper(
            F("quantity") * F("product__cost"),
            output_field=DecimalField(max_digits=30, decimal_places=12),
        ),
        2,
    )
    keys = ["code", "name", "category"]
    if per_place:
        keys += ["product_id", "establishment_id"]
    live = (
        SaleLine.objects.for_business(business)
        .filter(split.live_on("sale__"), not_voided(business=business, sale="sale_id"))
        .annotate(
            category=Coalesce(F("product__category__name"), Value("")),
            establishment_id=F("sale__establishment_id"),
            line_cost=line_cost,
        )
        .values(*keys)
        .annotate(
            quantity=Sum("quantity"),
            base=Sum("base"),
            cost=Sum("line_cost", output_field=DecimalField(**MONEY)),
        )
    )
    rolled = (
        split.rolled(DailyProduct)
        .values(*keys)
        .annotate(quantity=Sum("quantity"), base=Sum("base"), cost=Sum("cost"))
    )
    rows = _merge(keys, ["quantity", "base", "cost"], live, rolled)
    for row in rows:
        row["cost"] = _cents(row["cost"])
        row["base"] = _cents(row["base"])
    rows.sort(key=lambda row: (-row["base"], row["code"]))
    return rows[:limit] if limit is not None else rows


MONEY = {"max_digits": 16, "decimal_places": 2}


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _tax_key(code, rate) -> str:
    return f"{code}:{Decimal(rate):.2f}"


def sales_by(
    *,
    business,
    dimension: str,
    since: datetime,
    until: datetime,
    split: PeriodSplit | None = None,
) -> list[dict]:
    """Non-voided sales of the period per hour, cashier, establishment, customer
    or IVA rate.

    Rows: key (text, see `DailyFigure`), count, base, tax, total; sorted by key.
    For IVA rates the count is of sales with that rate and base/tax are the
    rate's own (a sale can have several rates).
    """
    split = split or period_split(business=business, since=since, until=until)
    if dimension == DailyFigure.Dimension.TAX:
        live = [
            {
                "key": _tax_key(row["tax_code"], row["rate"]),
                "count": row["count"],
                "base": row["base"],
                "tax": row["tax"],
                "total": row["base"] + row["tax"],
            }
            for row in SaleTax.objects.for_business(business)
            .filter(
                split.live_on("sale__"),
                not_voided(business=business, sale="sale_id"),
            )
            .values("tax_code", "rate")
            .annotate(count=Count("sale_id"), base=Sum("base"), tax=Sum("tax"))
            .order_by()
        ]
    else:
        field = {
            DailyFigure.Dimension.HOUR: ExtractHour(
                "posted_at", tzinfo=timezone.get_current_timezone()
            ),
            DailyFigure.Dimension.CASHIER: F("cashier_id"),
            DailyFigure.Dimension.ESTABLISHMENT: F("establishment_id"),
            DailyFigure.Dimension.CUSTOMER: F("customer_id"),
        }[dimension]
        live = [
            {**row, "key": str(row.pop("k"))}
            for row in _valid_sales(business=business, split=split)
            .annotate(k=field)
            .values("k")
            .annotate(
                count=Count("id"),
                base=Sum("subtotal"),
                tax=Sum("tax_total"),
                total=Sum("total"),
            )
            .order_by()
        ]
    rolled = (
        split.rolled(DailyFigure)
        .filter(dimension=dimension)
        .values("key")
        .annotate(
            count=Sum("count"), base=Sum("base"), tax=Sum("tax"), total=Sum("total")
        )
        .order_by()
    )
    return _merge(["key"], ["count", "base", "tax", "total"], live, rolled, key="key")


def _merge(keys, sums, *querysets, key=None) -> list[dict]:
    """Add up rows of the same keys from several grouped querysets."""
    merged: dict[tuple, dict] = {}
    for queryset in querysets:
        rows = queryset.order_by() if hasattr(queryset, "order_by") else queryset
        for row in rows:
            found = merged.setdefault(
                tuple(row[k] for k in keys), {**{k: row[k] for k in keys}}
            )
            for name in sums:
                found[name] = found.get(name, 0) + row[name]
    rows = list(merged.values())
    return sorted(rows, key=lambda row: row[key]) if key else rows
