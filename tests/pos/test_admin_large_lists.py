"""Sales list with a year of rows: numbers found on an index, no full-table counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.tenancy.admin_lists import CAP, parse_document_number
from backoffice.tenancy.context import tenant_context
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(post, product):
    return [post([(product, 1)]) for _ in range(3)]


def listed_numbers(response) -> list[str]:
    return sorted(
        set(re.findall(r">(\d{3}-\d{3}-\d{9})</a>", response.content.decode()))
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("001-001-000012345", ("001-001-000012345", 12345)),
        ("001-001-12345", ("001-001-000012345", 12345)),
        (" 12345 ", (None, 12345)),
        ("Juan", None),
        ("0999999999", None),  # a cédula, not a sequential number
        ("1-1-1", None),
    ],
)
def test_parse_document_number(term, expected):
    assert parse_document_number(term) == expected


def test_search_by_full_or_short_number_finds_exactly_that_sale(owner_client, sales):
    second = sales[1].document_number
    assert second == "001-001-000000002"
    for term in (second, "2", "001-001-2"):
        response = owner_client.get("/admin/pos/sale/", {"q": term})
        assert listed_numbers(response) == [second], term
    response = owner_client.get("/admin/pos/sale/", {"q": "002-001-2"})
    assert listed_numbers(response) == []


def test_search_by_text_still_searches_names(owner_client, sales):
    response = owner_client.get("/admin/pos/sale/", {"q": "CONSUMIDOR"})
    assert len(listed_numbers(response)) == 3


def test_changelist_never_counts_the_whole_table(owner_client, sales):
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/admin/pos/sale/")
    assert response.status_code == 200
    sales_sql = [q["sql"] for q in queries if 'FROM "pos_sale"' in q["sql"]]
    counts = [sql for sql in sales_sql if "COUNT(" in sql.upper()]
    assert len(counts) == 1 and f"LIMIT {CAP + 1}" in counts[0]
    # No date_hierarchy: no distinct years, no MIN/MAX over the table.
    assert not [sql for sql in sales_sql if "DISTINCT" in sql or "MIN(" in sql]


def test_date_range_filter_limits_the_list(owner_client, sales):
    response = owner_client.get(
        "/admin/pos/sale/",
        {"posted_at_from": "01/01/2000", "posted_at_to": "31/12/2000"},
    )
    assert response.status_code == 200
    assert listed_numbers(response) == []
    today = timezone.localdate().strftime("%d/%m/%Y")
    for params in ({"posted_at_from": today}, {"posted_at_to": today}, {}):
        response = owner_client.get("/admin/pos/sale/", params)
        assert len(listed_numbers(response)) == 3, params
    response = owner_client.get("/admin/pos/sale/", {"posted_at_to": "31/12/9999"})
    assert len(listed_numbers(response)) == 3


def _like_on(queries, table: str) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if f'FROM "{table}"' in q["sql"] and "LIKE" in q["sql"].upper()
    ]


def test_search_by_customer_finds_their_sales_without_scanning_sales(
    owner_client, business, other_business, post, product, customer
):
    from backoffice.customers.models import Customer

    theirs = post([(product, 1)], customer=customer)
    post([(product, 1)])  # consumidor final
    with tenant_context(other_business):  # the same name in another business
        Customer.objects.create(
            business=other_business,
            id_type="05",
            identification="0102030405",
            name="Carlos Villacís",
        )
    for term in ("villac", "Carlos Villacís", "1708611684", "carlos VILLA"):
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get("/admin/pos/sale/", {"q": term})
        assert listed_numbers(response) == [theirs.document_number], term
        # The words are matched on the customers, never with LIKE on the sales.
        assert _like_on(queries, "customers_customer"), term
        assert not _like_on(queries, "pos_sale"), term
    response = owner_client.get("/admin/pos/sale/", {"q": "villacís nadie"})
    assert listed_numbers(response) == []
    response = owner_client.get("/admin/pos/sale/", {"q": "CONSUMIDOR"})
    assert len(listed_numbers(response)) == 1


def test_stock_move_search_by_product_or_exact_reference(owner_client, business, post):
    from backoffice.inventory.models import StockMove

    cafe = make_product(business, code="CF", name="Café", price="2.00", stock="9")
    other = make_product(business, code="TE", name="Té verde", price="1", stock="9")
    sale = post([(cafe, 1), (other, 2)])
    with tenant_context(business):
        moves = StockMove.objects.filter(reference=sale.document_number)
        assert moves.count() == 2
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/admin/inventory/stockmove/", {"q": "verde"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Té verde" in page and "Café" not in page.split("result_list")[-1]
    assert not _like_on(queries, "inventory_stockmove")
    response = owner_client.get(
        "/admin/inventory/stockmove/", {"q": sale.document_number}
    )
    rows = response.content.decode().split("result_list")[-1]
    assert "Té verde" in rows and "Café" in rows
    response = owner_client.get("/admin/inventory/stockmove/", {"q": "ninguno"})
    assert "Té verde" not in response.content.decode().split("result_list")[-1]


def test_no_search_term_narrows_nothing(owner_client, business, post, monkeypatch):
    """A blank term lists every row, however many products match "nothing"."""
    from backoffice.tenancy import admin_lists

    monkeypatch.setattr(admin_lists, "MATCH_CAP", 1)
    one = make_product(business, code="A1", name="Arroz", price="1", stock="5")
    two = make_product(business, code="B2", name="Fideos", price="1", stock="5")
    for params in ({}, {"q": ""}, {"q": "  "}):
        response = owner_client.get("/admin/inventory/stockmove/", params)
        rows = response.content.decode().split("result_list")[-1]
        assert one.name in rows and two.name in rows, params


def test_stock_move_page_reads_moves_alone_then_their_relations(
    owner_client, business, django_assert_max_num_queries
):
    """The page's moves come from the moves table alone (no join that lets the
    planner walk every product's moves), and the rows' products, establishments
    and users by id: the same queries for 2 moves as for 40."""
    product = make_product(business, code="A1", name="Arroz", price="1", stock="5")
    with CaptureQueriesContext(connection) as few:
        assert owner_client.get("/admin/inventory/stockmove/").status_code == 200
    for n in range(20):
        make_product(business, code=f"B{n}", name=f"Fideos {n}", price="1", stock="3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_client.get("/admin/inventory/stockmove/")
    assert (
        "Fideos 19" in page.content.decode() and product.name in page.content.decode()
    )
    listing = [
        q["sql"]
        for q in few.captured_queries
        if q["sql"].startswith('SELECT "inventory_stockmove"."id"')
    ]
    assert listing and not any("JOIN" in sql for sql in listing)
