"""Inventory reads."""

from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from backoffice.tenancy.models import Business

from .models import StockLevel, StockMove


def stock_level_list(*, business: Business) -> QuerySet[StockLevel]:
    return StockLevel.objects.for_business(business).select_related(
        "product", "product__category", "establishment"
    )


def stock_level_low_list(*, business: Business) -> QuerySet[StockLevel]:
    """Levels at or under their product's threshold (the dashboard's definition)."""
    return stock_level_list(business=business).filter(
        product__track_stock=True,
        product__is_active=True,
        quantity__lte=F("product__low_stock_threshold"),
    )


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
