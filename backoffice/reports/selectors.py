"""Read-side queries for the dashboard and reports."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel
from fiscal.models import PENDING_STATES, ElectronicDocument
from fiscal.selectors import certificate_warning
from pos.models import Sale


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


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sales_summary(*, business, since: datetime, until: datetime) -> tuple[Decimal, int]:
    """Total and count of the sales posted in [since, until) that were not voided."""
    row = (
        Sale.objects.for_business(business)
        .filter(posted_at__gte=since, posted_at__lt=until, void__isnull=True)
        .aggregate(total=Sum("total"), count=Count("id"))
    )
    return row["total"] or Decimal("0.00"), row["count"]


def dashboard_kpis(*, business) -> list[Kpi]:
    today = timezone.localdate()
    tomorrow = _day_start(today + timedelta(days=1))
    day_total, day_count = sales_summary(
        business=business, since=_day_start(today), until=tomorrow
    )
    month_total, month_count = sales_summary(
        business=business, since=_day_start(today.replace(day=1)), until=tomorrow
    )
    products = Product.objects.for_business(business).filter(is_active=True).count()
    pending = (
        ElectronicDocument.objects.for_business(business)
        .filter(state__in=PENDING_STATES)
        .count()
    )
    return [
        Kpi(_("Ventas de hoy"), f"$ {day_total:,.2f}", _("%d tickets") % day_count),
        Kpi(
            _("Ventas del mes"), f"$ {month_total:,.2f}", _("%d tickets") % month_count
        ),
        Kpi(
            _("Comprobantes SRI sin autorizar"),
            str(pending),
            certificate_warning(business=business) or "",
        ),
        Kpi(
            _("Productos con stock bajo"),
            str(low_stock_count(business=business)),
            _("%d productos activos") % products,
        ),
    ]
