"""Catalog reads."""

from django.db.models import QuerySet

from backoffice.tenancy.models import Business

from .models import Product


def product_list(*, business: Business) -> QuerySet[Product]:
    return Product.objects.for_business(business).select_related("category")


def product_by_code_map(*, business: Business) -> dict[str, Product]:
    return {p.code: p for p in Product.objects.for_business(business)}


__all__ = ["product_by_code_map", "product_list"]
