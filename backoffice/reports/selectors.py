"""Read-side queries for the dashboard and reports."""

from dataclasses import dataclass

from django.db.models import F

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel


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


def dashboard_kpis(*, business) -> list[Kpi]:
    products = Product.objects.for_business(business).filter(is_active=True).count()
    return [
        Kpi("Productos activos", str(products)),
        Kpi("Productos con stock bajo", str(low_stock_count(business=business))),
    ]
