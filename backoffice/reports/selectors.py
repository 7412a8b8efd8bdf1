"""Read-side queries for the dashboard and reports."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel
from fiscal.models import PENDING_STATES, ElectronicDocument
from fiscal.selectors import certificate_warning
from pos.models import Payment, Sale, SaleLine


@dataclass(frozen=True)
class Kpi:
    title: str
    value: str
    footer: str = ""


def low_stock_count(*, business) -> int:
    return (
        StockLevel.objects.for_business(business)
        .filter(
            product__track_stock=True,
            product__is_active=True,
            quantity__lte=F("product__low_stock_threshold"),
        )
        .count()
    )


def day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sales_summary(*, business, since: datetime, until: datetime) -> tuple[Decimal, int]:
    """Total and count of the sales posted in [since, until) that were not voided."""
    row = (
        Sale.objects.for_business(business)
        .filter(posted_at__gte=since, posted_at__lt=until, void__isnull=True)
        .aggregate(total=Sum("total"), count=Count("id"))
    )
    return row["total"] or Decimal("0.00"), row["count"]


def _tickets(count: int) -> str:
    return ngettext("%d ticket", "%d tickets", count) % count


def dashboard_kpis(*, business) -> list[Kpi]:
    today = timezone.localdate()
    tomorrow = day_start(today + timedelta(days=1))
    day_total, day_count = sales_summary(
        business=business, since=day_start(today), until=tomorrow
    )
    month_total, month_count = sales_summary(
        business=business, since=day_start(today.replace(day=1)), until=tomorrow
    )
    products = Product.objects.for_business(business).filter(is_active=True).count()
    pending = (
        ElectronicDocument.objects.for_business(business)
        .filter(state__in=PENDING_STATES)
        .count()
    )
    return [
        Kpi(_("Ventas de hoy"), f"$ {day_total:,.2f}", _tickets(day_count)),
        Kpi(_("Ventas del mes"), f"$ {month_total:,.2f}", _tickets(month_count)),
        Kpi(
            _("Comprobantes SRI sin autorizar"),
            str(pending),
            certificate_warning(business=business) or "",
        ),
        Kpi(
            _("Productos con stock bajo"),
            str(low_stock_count(business=business)),
            ngettext("%d producto activo", "%d productos activos", products) % products,
        ),
    ]


def _valid_sales(*, business, since: datetime, until: datetime):
    return Sale.objects.for_business(business).filter(
        posted_at__gte=since, posted_at__lt=until, void__isnull=True
    )


def sales_by_day(*, business, since: datetime, until: datetime) -> list[dict]:
    """Per local day: tickets, base, IVA, service and total of non-voided sales."""
    return list(
        _valid_sales(business=business, since=since, until=until)
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


def sales_by_payment(*, business, since: datetime, until: datetime) -> list[dict]:
    return list(
        Payment.objects.for_business(business)
        .filter(
            sale__posted_at__gte=since,
            sale__posted_at__lt=until,
            sale__void__isnull=True,
        )
        .values("method")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("method")
    )


def top_products(
    *, business, since: datetime, until: datetime, limit: int = 15
) -> list[dict]:
    return list(
        SaleLine.objects.for_business(business)
        .filter(
            sale__posted_at__gte=since,
            sale__posted_at__lt=until,
            sale__void__isnull=True,
        )
        .values("code", "name")
        .annotate(quantity=Sum("quantity"), base=Sum("base"))
        .order_by("-base", "code")[:limit]
    )
