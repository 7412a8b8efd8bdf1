"""Inventory documents in the admin, the count import and the stock exports."""

from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.inventory.models import (
    StockCount,
    StockDocument,
    StockDocumentLine,
    StockLevel,
    StockMove,
    StockReceipt,
    StockTransfer,
)
from backoffice.inventory.resources import (
    StockCountLineResource,
    StockLevelResource,
    StockMoveResource,
)
from backoffice.inventory.services import LineInput, stock_receive
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from tests.catalog.factories import ProductFactory
from tests.catalog.helpers import inline_management

D = Decimal


def post_url(model_name, pk):
    return reverse(f"admin:inventory_{model_name}_post_document", args=[pk])


def _receipt(business, product, quantity="5", cost="0.80"):
    document = StockReceipt.objects.create(
        business=business,
        establishment=Establishment.objects.get(code="001"),
        supplier="Proveedor S.A.",
    )
    StockDocumentLine.objects.create(
        business=business,
        document=document,
        product=product,
        quantity=D(quantity),
        unit_cost=D(cost),
    )
    return document


def test_receipt_is_created_in_the_admin_and_posted_with_a_confirmed_post(
    owner_client, business
):
    with tenant_context(business):
        product = ProductFactory()
        main = Establishment.objects.get(code="001")
    add = reverse("admin:inventory_stockreceipt_add")
    data = {
        "establishment": main.pk,
        "supplier": "Distribuidora",
        "reference": "FAC-1",
    } | inline_management(owner_client.get(add).content.decode())
    prefix = next(k[: -len("-TOTAL_FORMS")] for k in data if k.endswith("TOTAL_FORMS"))
    data |= {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-0-product": product.pk,
        f"{prefix}-0-quantity": "6",
        f"{prefix}-0-unit_cost": "0.75",
    }
    response = owner_client.post(add, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    with tenant_context(business):
        document = StockReceipt.objects.get()
        assert document.kind == StockDocument.Kind.RECEIPT
        assert not StockMove.objects.exists()
    # GET only shows the confirmation dialog; nothing is booked.
    assert owner_client.get(post_url("stockreceipt", document.pk)).status_code == 200
    with tenant_context(business):
        assert not StockMove.objects.exists()
    response = owner_client.post(
        post_url("stockreceipt", document.pk), {"_form_submitted": "on"}
    )
    assert response.status_code == 302
    with tenant_context(business):
        document.refresh_from_db()
        assert document.is_posted and document.posted_by is not None
        assert StockLevel.objects.get(product=product).quantity == D("6")
        product.refresh_from_db()
        assert product.cost == D("0.75")
    # Posted documents are frozen, and posting twice books nothing more.
    change = reverse("admin:inventory_stockreceipt_change", args=[document.pk])
    assert owner_client.post(change, data).status_code == 403
    owner_client.post(post_url("stockreceipt", document.pk), {"_form_submitted": "on"})
    with tenant_context(business):
        assert StockMove.objects.count() == 1


def test_another_business_document_cannot_be_posted(
    owner_client, business, other_business
):
    with tenant_context(other_business):
        document = _receipt(other_business, ProductFactory())
    response = owner_client.post(
        post_url("stockreceipt", document.pk), {"_form_submitted": "on"}
    )
    assert response.status_code == 404
    with tenant_context(other_business):
        assert not StockMove.objects.exists()


def test_cashier_cannot_post_documents(role_client, business):
    with tenant_context(business):
        document = _receipt(business, ProductFactory())
    client = role_client("cashier")
    response = client.post(
        post_url("stockreceipt", document.pk), {"_form_submitted": "on"}
    )
    assert response.status_code == 403
    with tenant_context(business):
        assert not StockMove.objects.exists()


def test_proxies_only_see_their_own_kind(tenant):
    main = Establishment.objects.get(code="001")
    StockReceipt.objects.create(business=tenant, establishment=main)
    StockTransfer.objects.create(business=tenant, establishment=main)
    assert StockReceipt.objects.count() == 1
    assert StockTransfer.objects.count() == 1
    assert StockCount.objects.count() == 0


def test_count_import_fills_a_draft_count_and_posting_books_differences(tenant):
    a, b = ProductFactory(code="A"), ProductFactory(code="B")
    main = Establishment.objects.get(code="001")
    stock_receive(
        business=tenant,
        establishment=main,
        lines=[LineInput(a.pk, D("10")), LineInput(b.pk, D("3"))],
    )
    data = tablib.Dataset(
        ["001", "A", "8"],
        [1, "B", "3,5"],
        headers=["Local", "Código", "Cantidad contada"],
    )
    result = StockCountLineResource().import_data(data)
    assert not result.has_validation_errors()
    assert not result.has_errors(), [e.error for e in result.base_errors] + [
        e.error for _n, errs in result.row_errors() for e in errs
    ]
    count = StockCount.objects.get()
    from backoffice.inventory.services import stock_document_post

    stock_document_post(business=tenant, document=count)
    assert dict(StockLevel.objects.values_list("product__code", "quantity")) == {
        "A": D("8"),
        "B": D("3.5"),
    }
    lines = {line.product.code: line for line in count.lines.select_related("product")}
    assert (lines["A"].expected, lines["A"].difference) == (D("10"), D("-2"))


def test_count_import_reports_bad_rows_and_writes_nothing(business, other_business):
    with tenant_context(other_business):
        ProductFactory(code="AJENO")
    with tenant_context(business):
        ProductFactory(code="A")
        data = tablib.Dataset(
            ["001", "A", "1"],
            ["001", "AJENO", "1"],
            ["009", "A", "1"],
            ["001", "A", "-1"],
            ["001", "A", "2"],
            headers=["Local", "Código", "Cantidad contada"],
        )
        result = StockCountLineResource().import_data(data)
        numbers = [r.number for r in result.invalid_rows]
        assert numbers == [2, 3, 4, 5]
        assert not StockCount.objects.exists()
        assert not StockDocumentLine.objects.exists()


def test_exports_contain_only_this_business(business, other_business):
    for biz, code in ((business, "MIO"), (other_business, "AJENO")):
        with tenant_context(biz):
            product = ProductFactory(code=code)
            stock_receive(
                business=biz,
                establishment=Establishment.objects.get(code="001"),
                lines=[LineInput(product.pk, D("2"), D("1.5"))],
                supplier="Prov",
            )
    with tenant_context(business):
        levels = StockLevelResource().export()
        moves = StockMoveResource().export()
    assert levels["Código"] == ["MIO"] and moves["Código"] == ["MIO"]
    assert levels.headers == [
        "Local",
        "Código",
        "Producto",
        "Categoría",
        "Cantidad",
        "Stock mínimo",
    ]
    assert moves["Motivo"] == ["recepción"] and moves["Proveedor"] == ["Prov"]


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:inventory_stocklevel_changelist",
        "admin:inventory_stockmove_changelist",
        "admin:inventory_stockreceipt_changelist",
    ],
)
def test_inventory_changelists_cost_the_same_for_1_and_many_rows(
    owner_client, business, django_assert_max_num_queries, url_name
):
    url = reverse(url_name)

    def seed(n):
        with tenant_context(business):
            main = Establishment.objects.get(code="001")
            for _ in range(n):
                _receipt(business, ProductFactory())
            products = ProductFactory.create_batch(n)
            stock_receive(
                business=business,
                establishment=main,
                lines=[LineInput(p.pk, D("1")) for p in products],
            )

    seed(1)
    with CaptureQueriesContext(connection) as ctx:
        assert owner_client.get(url).status_code == 200
    seed(30)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        owner_client.get(url)


def test_inventory_changelists_show_only_this_business(
    owner_client, business, other_business
):
    with tenant_context(other_business):
        product = ProductFactory(name="Producto ajeno")
        stock_receive(
            business=other_business,
            establishment=Establishment.objects.get(code="001"),
            lines=[LineInput(product.pk, D("1"))],
        )
    for name in ("stocklevel", "stockmove"):
        html = owner_client.get(reverse(f"admin:inventory_{name}_changelist")).content
        assert "Producto ajeno" not in html.decode()
