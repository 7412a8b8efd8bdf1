"""Inventory reads, and the one definition of "low stock".

Low stock: a tracked, active product with a branch whose level is at or under
the product's threshold. The dashboard, the stock-level list and the product
list all filter with `LOW_LEVEL` (levels) or `product_low_stock_filter`.
"""

from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from backoffice.catalog.models import Product
from backoffice.tenancy.models import Business

from .models import StockLevel, StockMove

LOW_LEVEL = Q(
    product__track_stock=True,
    product__is_active=True,
    quantity__lte=F("product__low_stock_threshold"),
)


def stock_level_list(*, business: Business) -> QuerySet[StockLevel]:
    return StockLevel.objects.for_business(business).select_related(
        "product", "product__category", "establishment"
    )


def stock_level_low_list(*, business: Business) -> QuerySet[StockLevel]:
    """Levels at or under their product's threshold (the dashboard's definition)."""
    return stock_level_list(business=business).filter(LOW_LEVEL)


def stock_level_low_filter(queryset: QuerySet[StockLevel]) -> QuerySet[StockLevel]:
    return queryset.filter(LOW_LEVEL)


def _stock_subqueries():
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
    """Add `stock_total` and `has_low_level` in the same query (no per-row reads)."""
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


def product_low_stock_filter(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Products with a low level: the product-side twin of `LOW_LEVEL`."""
    _total, low = _stock_subqueries()
    return queryset.filter(Exists(low), track_stock=True, is_active=True)


def low_stock_filter(queryset: QuerySet) -> QuerySet:
    """Filter products or stock levels to the low ones (one rule for both lists)."""
    if queryset.model is Product:
        return product_low_stock_filter(queryset)
    return stock_level_low_filter(queryset)


def stock_move_list(*, business: Business) -> QuerySet[StockMove]:
    return StockMove.objects.for_business(business).select_related(
        "product", "establishment", "user"
    )


def stock_level_mismatches(*, business: Business) -> list[tuple[int, int, Decimal]]:
    """Levels that differ from the sum of their moves (should always be empty)."""
    moves = (
        StockMove.objects.for_business(business)
        .filter(
            product_id=OuterRef("product_id"),
            establishment_id=OuterRef("establishment_id"),
        )
        .order_by()
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return list(
        StockLevel.objects.for_business(business)
        .annotate(ledger=Coalesce(Subquery(moves), Value(Decimal("0"))))
        .exclude(quantity=F("ledger"))
        .values_list("product_id", "establishment_id", "quantity")
    )
