"""The X report as JSON: figures of an open session so far (issue 11)."""

import json
import uuid
from decimal import Decimal

import pytest

from backoffice.tenancy.context import tenant_context
from pos.services import PaymentIn, cash_movement_add, sale_void
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def day(business, post, owner, session, customer):
    soda = make_product(business, code="GAS", name="Gaseosa", price="1.00")
    post([(soda, 2)], [PaymentIn("01", D("5.00"))])  # 2.30
    post([(soda, 4)], [PaymentIn("19", D("4.60"), "VISA")])  # 4.60
    voided = post([(soda, 1)])  # 1.15, voided
    returned = post([(soda, 3)], [PaymentIn("01", D("3.45"))], customer=customer)
    with tenant_context(business):
        sale_void(business=business, sale=voided, actor=owner, reason="Error")
        cash_movement_add(
            business=business,
            session=session,
            user=owner,
            kind="out",
            amount=D("10.00"),
            reason="Compra de hielo",
        )
    return returned


def test_x_report_gives_the_figures_so_far(client, business, owner, session, day):
    client.force_login(owner)
    with tenant_context(business):
        line = day.lines.get()
    returned = client.post(
        f"/pos/api/sales/{day.pk}/returns",
        json.dumps(
            {
                "idempotency_key": str(uuid.uuid4()),
                "reason": "Dañada",
                "lines": [{"line": line.pk, "quantity": "1"}],
            }
        ),
        content_type="application/json",
    )
    assert returned.status_code == 201

    data = client.get(f"/pos/api/cash-sessions/{session.pk}/x-report").json()

    assert data["float"] == "50.00" and data["closed_at"] is None
    assert (data["sales_count"], data["sales_total"]) == (4, "11.50")
    assert data["sales_by_method"] == {"01": "6.90", "19": "4.60"}
    assert (data["voids_count"], data["voids_total"]) == (1, "1.15")
    assert (data["returns_count"], data["returns_total"]) == (1, "1.15")
    assert data["cash_out"] == "10.00"
    assert [m["kind"] for m in data["movements"]] == ["void", "out", "return"]
    assert data["movements"][1]["reason"] == "Compra de hielo"
    # 50 + 6.90 cash − 1.15 void − 10.00 out − 1.15 return.
    assert data["expected"] == {"01": "44.60", "19": "4.60"}
    with tenant_context(business):
        session.refresh_from_db()
    assert session.closed_at is None  # the X report closes nothing


def test_x_report_of_someone_elses_session_is_not_found(
    client, business, other_business, session
):
    stranger = UserFactory()
    membership(business, stranger, "cashier")
    client.force_login(stranger)
    url = f"/pos/api/cash-sessions/{session.pk}/x-report"
    assert client.get(url).status_code == 404
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    client.force_login(intruder)
    assert client.get(url).status_code == 404
