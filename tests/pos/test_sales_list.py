"""The session's sales on the POS page: newest first, paged, flags, visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.tenancy.context import tenant_context
from pos.services import sale_void
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db
URL = "/pos/api/sales"


@pytest.fixture
def soda(business):
    return make_product(business, code="GAS", name="Gaseosa", price="1.00")


def test_current_session_newest_first_with_flags(
    client, business, post, soda, cashier, owner, session
):
    first = post([(soda, 1)])
    second = post([(soda, 2)])
    with tenant_context(business):
        sale_void(business=business, sale=first, actor=owner, reason="Error")
    client.force_login(cashier)  # opened by the owner: the cashier rang them

    data = client.get(URL, {"cash_session": "current"}).json()
    by_id = client.get(URL, {"cash_session": session.pk}).json()

    assert data == by_id
    assert data["cash_session"] == session.pk and data["next_page"] is None
    rows = data["results"]
    assert [r["id"] for r in rows] == [second.pk, first.pk]
    assert [(r["voided"], r["returned"]) for r in rows] == [
        (False, False),
        (True, False),
    ]
    assert rows[0]["number"] == "001-001-000000002" and rows[0]["total"] == "2.30"
    assert rows[0]["customer"] == "CONSUMIDOR FINAL"
    assert rows[0]["receipt_url"] == f"/pos/sales/{second.pk}/receipt.pdf"


def test_another_cashier_sees_only_their_own_sales(
    client, business, session, post, soda
):
    post([(soda, 1)])
    stranger = UserFactory()
    membership(business, stranger, "cashier")
    client.force_login(stranger)
    response = client.get(URL, {"cash_session": session.pk})
    assert response.status_code == 200
    assert response.json()["results"] == []  # only the sales they rang


def test_a_session_of_another_business_is_not_found(client, other_business, session):
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    client.force_login(intruder)
    assert client.get(URL, {"cash_session": session.pk}).status_code == 404
    assert client.get(URL, {"cash_session": "x"}).status_code == 400


def test_pages_of_50_in_constant_queries(
    client, business, post, soda, owner, django_assert_max_num_queries
):
    post([(soda, 1)])
    client.force_login(owner)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(URL).json()["results"]) == 1
    for _ in range(60):
        post([(soda, 1)])
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(URL).json()
    rest = client.get(URL, {"page": 2}).json()
    assert (len(page["results"]), page["next_page"]) == (50, 2)
    assert (len(rest["results"]), rest["next_page"]) == (11, None)
