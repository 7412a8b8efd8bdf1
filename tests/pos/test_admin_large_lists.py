"""Sales list with a year of rows: numbers found on an index, no full-table counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backoffice.tenancy.admin_lists import CAP, parse_document_number

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
