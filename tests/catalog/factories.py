"""Catalog, customer and stock factories (create them inside tenant_context)."""

from decimal import Decimal

import factory

from backoffice.catalog.models import Category, Product
from backoffice.customers.models import Customer, IdType
from backoffice.tenancy.context import require_business
from core.taxes import TaxCategory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    business = factory.LazyFunction(require_business)
    name = factory.Sequence(lambda n: f"Categoría {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    business = factory.LazyFunction(require_business)
    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Producto {n}")
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("1.000000")
    price_includes_tax = False
    tax_category = TaxCategory.IVA_15
    low_stock_threshold = Decimal("2")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    business = factory.LazyFunction(require_business)
    id_type = IdType.PASAPORTE
    identification = factory.Sequence(lambda n: f"PAS{n:06d}")
    name = factory.Sequence(lambda n: f"Cliente {n}")
