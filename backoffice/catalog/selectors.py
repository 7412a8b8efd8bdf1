"""Catalog reads."""

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from backoffice.tenancy.models import Business

from .models import Product


def _stock_subqueries():
    from backoffice.inventory.models import StockLevel

    levels = StockLevel.unscoped_objects.filter(
        business_id=OuterRef("business_id"), product_id=OuterRef("pk")
    )
    total = (
        levels.order_by()
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    low = levels.filter(quantity__lte=OuterRef("low_stock_threshold"))
    return total, low


def product_annotate_stock(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Add `stock_total` and `is_low_stock` in the same query (no per-row reads).

    Low stock matches the dashboard's count: a tracked, active product with a
    branch at or under its threshold.
    """
    total, low = _stock_subqueries()
    decimal = DecimalField(max_digits=14, decimal_places=6)
    return queryset.annotate(
        stock_total=Coalesce(
            Subquery(total, output_field=decimal),
            Value(Decimal("0")),
            output_field=decimal,
        ),
        has_low_level=Exists(low),
    )


def product_list(*, business: Business) -> QuerySet[Product]:
    return product_annotate_stock(
        Product.objects.for_business(business).select_related("category")
    )


def product_low_stock_filter(queryset: QuerySet[Product]) -> QuerySet[Product]:
    _total, low = _stock_subqueries()
    return queryset.filter(Exists(low), track_stock=True, is_active=True)


def product_by_code_map(*, business: Business) -> dict[str, Product]:
    return {p.code: p for p in Product.objects.for_business(business)}


__all__ = [
    "product_annotate_stock",
    "product_by_code_map",
    "product_list",
    "product_low_stock_filter",
]
