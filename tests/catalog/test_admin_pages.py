"""Every catalog/customers/inventory admin page renders for an owner."""

import pytest
from django.urls import NoReverseMatch, reverse

from backoffice.inventory.models import StockReceipt
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from tests.catalog.factories import CustomerFactory, ProductFactory

MODELS = [
    "catalog_product",
    "catalog_category",
    "catalog_modifiergroup",
    "customers_customer",
    "inventory_stocklevel",
    "inventory_stockmove",
    "inventory_stockreceipt",
    "inventory_stockadjustment",
    "inventory_stockcount",
    "inventory_stocktransfer",
]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_export_pages_render(owner_client, business, model):
    with tenant_context(business):
        ProductFactory()
        CustomerFactory()
    assert owner_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    add = owner_client.get(reverse(f"admin:{model}_add"))
    assert add.status_code in (200, 403)
    for page in ("export", "import"):
        try:
            url = reverse(f"admin:{model}_{page}")
        except NoReverseMatch:  # not every admin imports or exports
            url = None
        if url:
            assert owner_client.get(url).status_code == 200


def test_change_pages_and_history_render(owner_client, business):
    with tenant_context(business):
        product = ProductFactory()
        customer = CustomerFactory()
        receipt = StockReceipt.objects.create(
            business=business, establishment=Establishment.objects.get(code="001")
        )
    for model, obj in (
        ("catalog_product", product),
        ("customers_customer", customer),
        ("inventory_stockreceipt", receipt),
    ):
        for view in ("change", "history"):
            url = reverse(f"admin:{model}_{view}", args=[obj.pk])
            assert owner_client.get(url).status_code == 200, url


def test_sidebar_lists_the_inventory_documents(owner_client):
    html = owner_client.get(reverse("admin:index")).content.decode()
    for name in ("stockreceipt", "stockcount", "stocktransfer", "stockadjustment"):
        assert reverse(f"admin:inventory_{name}_changelist") in html
