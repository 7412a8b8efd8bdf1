"""Two businesses: no admin surface of these apps shows the other's rows."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.catalog.models import ModifierGroup
from backoffice.inventory.models import (
    StockAdjustment,
    StockCount,
    StockReceipt,
    StockTransfer,
)
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from tests.catalog.factories import CategoryFactory, CustomerFactory, ProductFactory


@pytest.fixture
def theirs(other_business):
    with tenant_context(other_business):
        branch = Establishment.objects.get(code="001")
        product = ProductFactory(name="Ajeno producto", code="AJENO")
        CategoryFactory(name="Ajena categoría")
        CustomerFactory(name="Ajeno cliente")
        group = ModifierGroup.objects.create(
            business=other_business, name="Ajeno grupo"
        )
        group.products.add(product)
        for model in (StockReceipt, StockAdjustment, StockCount, StockTransfer):
            model.objects.create(
                business=other_business,
                establishment=branch,
                supplier="Ajeno proveedor",
            )
    return product


@pytest.mark.parametrize(
    "name",
    [
        "catalog_product",
        "catalog_category",
        "catalog_modifiergroup",
        "customers_customer",
        "inventory_stockreceipt",
        "inventory_stockadjustment",
        "inventory_stockcount",
        "inventory_stocktransfer",
    ],
)
def test_changelists_never_show_another_business(owner_client, theirs, name):
    url = reverse(f"admin:{name}_changelist")
    for params in ({}, {"q": "Ajen"}):
        response = owner_client.get(url, params)
        assert response.status_code == 200
        expected = 1 if name == "customers_customer" and not params else 0
        assert response.context["cl"].result_count == expected  # consumidor final
        html = response.content.decode()
        for text in (
            "Ajeno producto",
            "Ajena categoría",
            "Ajeno cliente",
            "Ajeno grupo",
        ):
            assert text not in html


def test_product_autocomplete_is_scoped(owner_client, business, theirs):
    with tenant_context(business):
        ProductFactory(name="Mi producto", price=Decimal("1"))
    response = owner_client.get(
        reverse("admin:autocomplete"),
        {
            # the product picker of the modifier group's products inline
            "app_label": "catalog",
            "model_name": "modifiergroupproduct",
            "field_name": "product",
            "term": "producto",
        },
    )
    names = [r["text"] for r in json.loads(response.content)["results"]]
    assert names and all("Ajeno" not in n for n in names)


def test_another_business_documents_return_404(owner_client, other_business, theirs):
    with tenant_context(other_business):
        receipt = StockReceipt.objects.get()
        group = ModifierGroup.objects.get()
    for url in (
        reverse("admin:inventory_stockreceipt_change", args=[receipt.pk]),
        reverse("admin:inventory_stockreceipt_history", args=[receipt.pk]),
        reverse("admin:catalog_modifiergroup_change", args=[group.pk]),
    ):
        assert owner_client.get(url).status_code in (302, 404), url
