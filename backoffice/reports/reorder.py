"""Reorder suggestions ("por pedir"): sales velocity, days of cover, quantity to order.

For each product and establishment, the expected sale of a weekday is the
exponentially weighted average of what sold on that weekday in the last
`WEEKS` weeks (weight `DECAY` ** weeks ago, so last week counts most). Days of
cover walk forward from tomorrow until the stock runs out; the suggested order
covers the lead time plus the target cover, less the stock, rounded up.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db.models import F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.inventory.models import StockLevel
from pos.models import SaleLine

from .models import DailyProduct
from .selectors import day_start, not_voided, period_split

WEEKS = 8
DECAY = Decimal("0.7")
LEAD_DAYS = 3
TARGET_DAYS = 14
MAX_COVER = 365

METHOD = _(
    "Venta diaria estimada: promedio de las últimas 8 semanas del mismo día de la "
    "semana, con más peso a las semanas recientes (×0,7 por cada semana de "
    "antigüedad); se pide lo que se venderá durante el plazo de entrega más los "
    "días de cobertura deseados, menos la existencia."
)


@dataclass(frozen=True)
class Suggestion:
    establishment: str
    code: str
    name: str
    stock: Decimal
    velocity: Decimal  # average expected units per day over a week
    cover_days: int | None  # None: nothing expected to sell
    suggested: int


@lru_cache(maxsize=8)
def _weekdays(today: date) -> tuple[tuple[tuple[date, Decimal], ...], ...]:
    """Per weekday (Monday = 0): its closed days of the last weeks, newest first,
    each with its weight."""
    out = []
    for weekday in range(7):
        days = [
            today - timedelta(days=n)
            for n in range(1, 7 * WEEKS + 1)
            if (today - timedelta(days=n)).weekday() == weekday
        ]
        out.append(tuple((day, DECAY**age) for age, day in enumerate(days)))
    return tuple(out)


def weekday_rates(history: dict[date, Decimal], today: date) -> list[Decimal]:
    """Expected units per weekday (Monday = 0) from the closed days before today."""
    rates = []
    for days in _weekdays(today):
        sold = sum(
            (history.get(day, Decimal(0)) * weight for day, weight in days),
            Decimal(0),
        )
        rates.append(sold / sum(weight for _day, weight in days))
    return rates


def plan(
    history: dict[date, Decimal],
    *,
    today: date,
    stock: Decimal,
    lead_days: int = LEAD_DAYS,
    target_days: int = TARGET_DAYS,
) -> tuple[Decimal, int | None, int]:
    """(units per day, days of cover, units to order) for one product and place."""
    rates = weekday_rates(history, today)
    velocity = (sum(rates, Decimal(0)) / 7).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    tomorrow = today + timedelta(days=1)
    cover = None
    if any(rates):
        left, cover = Decimal(stock), 0
        while cover < MAX_COVER:
            need = rates[(tomorrow + timedelta(days=cover)).weekday()]
            if left < need or left <= 0:
                break
            left -= need
            cover += 1
    demand = sum(
        (
            rates[(tomorrow + timedelta(days=n)).weekday()]
            for n in range(lead_days + target_days)
        ),
        Decimal(0),
    )
    suggested = max(0, math.ceil(demand - max(Decimal(stock), Decimal(0))))
    return velocity, cover, suggested


def daily_sales(*, business, today: date) -> dict[tuple[int, int], dict]:
    """Units sold (not voided) per (product, establishment) and closed day.

    Rolled-up days from the daily product roll-up, the others read live.
    """
    split = period_split(
        business=business,
        since=day_start(today - timedelta(days=7 * WEEKS)),
        until=day_start(today),
    )
    live = (
        SaleLine.objects.for_business(business)
        .filter(split.live_on("sale__"), not_voided(business=business, sale="sale_id"))
        .annotate(
            day=TruncDate("sale__posted_at", tzinfo=timezone.get_current_timezone()),
            establishment_id=F("sale__establishment_id"),
        )
        .values("product_id", "establishment_id", "day")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    rolled = (
        split.rolled(DailyProduct)
        .values("product_id", "establishment_id", "day")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    found: dict[tuple[int, int], dict] = {}
    for rows in (live, rolled):
        for row in rows:
            days = found.setdefault((row["product_id"], row["establishment_id"]), {})
            days[row["day"]] = days.get(row["day"], 0) + row["units"]
    return found


def suggestions(
    *, business, lead_days: int = LEAD_DAYS, target_days: int = TARGET_DAYS, today=None
) -> list[Suggestion]:
    """Every stocked product and establishment, the most urgent first."""
    today = today or timezone.localdate()
    history = daily_sales(business=business, today=today)
    levels = (
        StockLevel.objects.for_business(business)
        .filter(product__track_stock=True, product__is_active=True)
        .values_list(
            "product_id",
            "establishment_id",
            "quantity",
            "product__code",
            "product__name",
            "establishment__code",
            "establishment__name",
        )
    )
    result = []
    for product, place, stock, code, name, place_code, place_name in levels:
        velocity, cover, suggested = plan(
            history.get((product, place), {}),
            today=today,
            stock=stock,
            lead_days=lead_days,
            target_days=target_days,
        )
        result.append(
            Suggestion(
                f"{place_code} {place_name}",
                code,
                name,
                stock,
                velocity,
                cover,
                suggested,
            )
        )
    result.sort(
        key=lambda s: (
            s.cover_days if s.cover_days is not None else MAX_COVER + 1,
            -s.suggested,
            s.code,
        )
    )
    return result
