"""Operations reports: voids, cash differences, stock valuation, slow movers
and the reorder list."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from backoffice.inventory.models import StockLevel
from pos.models import CashSession, Void

from .. import reorder, selectors
from ..models import DailyProduct
from .base import ZERO, period_args, user_names


def voids(business, since, until, options):
    args = period_args(business, since, until)
    queryset = (
        Void.objects.for_business(business)
        .filter(voided_at__gte=args["since"], voided_at__lt=args["until"])
        .order_by("voided_at", "pk")
        .values_list(
            "voided_at",
            "sale__document_number",
            "sale__posted_at",
            "document_number",
            "reason",
            "actor__username",
            "authorized_by__username",
            "total",
        )
    )
    zone = timezone.get_current_timezone()  # once, not twice per row
    for row in queryset.iterator(chunk_size=2000):
        yield (
            row[0].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            row[1],
            row[2].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
        )


def cash_differences(business, since, until, options):
    args = period_args(business, since, until)
    rows = (
        CashSession.objects.for_business(business)
        .filter(closed_at__gte=args["since"], closed_at__lt=args["until"])
        .values("opened_by_id")
        .annotate(
            sessions=Count("id"),
            net=Sum("difference"),
            short=Sum("difference", filter=Q(difference__lt=0)),
            over=Sum("difference", filter=Q(difference__gt=0)),
            exact=Count("id", filter=Q(difference=0)),
        )
        .order_by()
    )
    rows = list(rows)
    names = user_names([str(r["opened_by_id"]) for r in rows])
    return sorted(
        (
            (
                names.get(str(r["opened_by_id"]), str(r["opened_by_id"])),
                r["sessions"],
                r["exact"],
                r["short"] or ZERO,
                r["over"] or ZERO,
                r["net"] or ZERO,
            )
            for r in rows
        ),
        key=lambda row: row[5],
    )


def stock_valuation(business, since, until, options):
    queryset = (
        StockLevel.objects.for_business(business)
        .filter(product__track_stock=True)
        .exclude(quantity=0)
        .order_by("establishment__code", "product__code")
        .values_list(
            "establishment__code",
            "establishment__name",
            "product__code",
            "product__name",
            "quantity",
            "product__cost",
        )
    )
    for code, name, product_code, product_name, quantity, cost in queryset.iterator(
        chunk_size=2000
    ):
        yield (
            f"{code} {name}",
            product_code,
            product_name,
            quantity,
            cost,
            (quantity * cost).quantize(Decimal("0.01")),
        )


def slow_movers(business, since, until, options):
    """Products in stock that sold little or nothing in the period, slowest first."""
    sold = {
        p["code"]: p["quantity"]
        for p in selectors.top_products(
            **period_args(business, since, until), limit=None
        )
    }
    last_sold = dict(
        DailyProduct.objects.for_business(business)
        .values_list("code")
        .annotate(last=Max("day"))
        .order_by()
    )
    stock = (
        StockLevel.objects.for_business(business)
        .filter(product__track_stock=True, product__is_active=True, quantity__gt=0)
        .values("product__code", "product__name")
        .annotate(
            on_hand=Sum("quantity"), value=Sum(F("quantity") * F("product__cost"))
        )
        .order_by()
    )
    rows = []
    for s in stock:
        code = s["product__code"]
        quantity = sold.get(code, ZERO)
        last = last_sold.get(code)
        rows.append(
            (
                code,
                s["product__name"],
                s["on_hand"],
                Decimal(s["value"] or 0).quantize(Decimal("0.01")),
                quantity,
                last,
            )
        )
    rows.sort(key=lambda row: (row[4], row[5] or date.min, row[0]))
    limit = options.get("limit", 200)
    return rows[:limit]


def reorder_rows(business, since, until, options):
    return [
        (
            s.establishment,
            s.code,
            s.name,
            s.stock,
            s.velocity,
            s.cover_days,
            s.suggested,
        )
        for s in reorder.suggestions(
            business=business,
            lead_days=options.get("lead", reorder.LEAD_DAYS),
            target_days=options.get("target", reorder.TARGET_DAYS),
        )
        if s.suggested > 0 or not options.get("only_needed", True)
    ]
