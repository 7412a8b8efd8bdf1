"""Partial returns (issue 11): new rows only, a credit note for the lines taken
back, stock in, refund out of the drawer; idempotent; never more than sold."""

import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from backoffice.inventory.models import StockMove
from backoffice.tenancy.context import tenant_context
from fiscal.models import DocType, ElectronicDocument
from pos.errors import AlreadyVoidedError, SaleReturnedError
from pos.models import CashMovement, SaleReturn, SaleReturnLine
from pos.selectors import cash_session_summary
from pos.services import PaymentIn, sale_void, supervisor_pin_set
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product, stock_of

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(business):
    user = UserFactory()
    member = membership(business, user, "manager")
    with tenant_context(business):
        supervisor_pin_set(business=business, membership=member, pin="432198")
    return user


@pytest.fixture
def goods(business):
    return (
        make_product(business, code="GAS", name="Gaseosa", price="1.00", stock=10),
        make_product(business, code="PAN", name="Pan", price="0.20", stock=100),
    )


@pytest.fixture
def sale(post, goods, customer):
    """3 gaseosas with 0.30 of discount, 10 panes; to an identified customer."""
    soda, bread = goods
    return post(
        [(soda, 3, "0.345"), (bread, 10)],
        [PaymentIn("01", D("20.00"))],
        customer=customer,
    )


def _lines(sale, business):
    with tenant_context(business):
        return list(sale.lines.order_by("position"))


def _return(client, sale, lines, *, key=None, reason="Producto dañado", pin=None):
    body = {
        "idempotency_key": key or str(uuid.uuid4()),
        "reason": reason,
        "lines": [{"line": line, "quantity": str(q)} for line, q in lines],
    }
    if pin is not None:
        body["pin"] = pin
    return client.post(
        f"/pos/api/sales/{sale.pk}/returns",
        json.dumps(body),
        content_type="application/json",
    )


def _returns(business):
    with tenant_context(business):
        return SaleReturn.objects.filter(business=business).count()


def test_manager_returns_part_of_a_line(
    client, business, sale, manager, goods, session
):
    soda, bread = goods
    soda_line, _bread_line = _lines(sale, business)
    client.force_login(manager)

    response = _return(client, sale, [(soda_line.pk, 1)])

    assert response.status_code == 201, response.json()
    data = response.json()
    # One of 3 units at 1.00 with a third of the 0.30 discount: 0.90 + 15 % IVA.
    assert data["number"] == "001-001-000000001"
    assert data["lines"] == [
        {
            "line": soda_line.pk,
            "quantity": "1",
            "discount": "0.10",
            "base": "0.90",
            "tax": "0.14",
            "total": "1.04",
        }
    ]
    assert data["total"] == "1.04"
    assert stock_of(business, soda) == D("8") and stock_of(business, bread) == D("90")
    with tenant_context(business):
        moves = list(
            StockMove.objects.filter(reason=StockMove.Reason.RETURN).values_list(
                "product_id", "quantity"
            )
        )
        cash = list(
            CashMovement.objects.filter(sale_return_id=data["id"]).values_list(
                "kind", "method", "amount"
            )
        )
        note = ElectronicDocument.objects.get(source=f"return:{data['id']}")
        invoice = ElectronicDocument.objects.get(source=f"sale:{sale.pk}")
        summary = cash_session_summary(business=business, session=session)
    assert moves == [(soda.pk, D("1"))]
    assert cash == [("return", "01", D("-1.04"))]
    assert (note.kind, note.number, note.modifies_id) == (
        DocType.CREDIT_NOTE,
        "001-001-000000001",
        invoice.pk,
    )
    assert summary.expected["01"] == D("50.00") + sale.total - D("1.04")


def test_returning_more_than_sold_counts_earlier_returns(
    client, business, sale, manager, goods
):
    soda_line, bread_line = _lines(sale, business)
    client.force_login(manager)
    first = _return(client, sale, [(soda_line.pk, 2), (bread_line.pk, "2.5")])

    too_many = _return(client, sale, [(bread_line.pk, 1), (soda_line.pk, 2)])
    foreign = _return(client, sale, [(soda_line.pk + bread_line.pk + 99, 1)])
    rest = _return(client, sale, [(soda_line.pk, 1), (bread_line.pk, "7.5")])

    assert first.status_code == 201
    assert too_many.status_code == 400
    assert too_many.json()["error"] == "invalid_return"
    assert too_many.json()["field"] == "lines[1].quantity"
    assert "quedan 1" in too_many.json()["detail"]
    assert foreign.status_code == 400 and foreign.json()["field"] == "lines[0].line"
    assert rest.status_code == 201
    # Everything back: the returns' discounts add up to the sale's, to the cent.
    with tenant_context(business):
        lines = SaleReturnLine.objects.filter(business=business)
        discount = sum(x.discount for x in lines)
        base = sum(x.base for x in lines)
    assert discount == sale.discount_total
    assert abs(base - sale.subtotal) <= D("0.02")
    assert _returns(business) == 2


def test_retry_with_the_same_key_is_the_same_return(
    client, business, sale, manager, goods
):
    soda_line, _ = _lines(sale, business)
    client.force_login(manager)
    key = str(uuid.uuid4())

    first = _return(client, sale, [(soda_line.pk, 1)], key=key)
    again = _return(client, sale, [(soda_line.pk, 1)], key=key)
    other = _return(client, sale, [(soda_line.pk, 2)], key=key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert _returns(business) == 1
    assert stock_of(business, goods[0]) == D("8")


def test_cashier_needs_a_manager_pin(client, business, sale, cashier, manager):
    soda_line, _ = _lines(sale, business)
    client.force_login(cashier)

    without = _return(client, sale, [(soda_line.pk, 1)])
    wrong = _return(client, sale, [(soda_line.pk, 1)], pin="111111")
    right = _return(client, sale, [(soda_line.pk, 1)], pin="432198")

    assert without.status_code == 403
    assert without.json()["error"] == "return_not_allowed"
    assert wrong.status_code == 403 and wrong.json()["field"] == "pin"
    assert right.status_code == 201
    with tenant_context(business):
        done = SaleReturn.objects.get(business=business)
    assert (done.actor, done.authorized_by) == (cashier, manager)


def test_consumidor_final_takes_no_credit_note(client, business, post, goods, manager):
    soda, _ = goods
    sale = post([(soda, 2)])
    (line,) = _lines(sale, business)
    client.force_login(manager)

    response = _return(client, sale, [(line.pk, 1)])

    assert response.status_code == 201
    assert response.json()["number"] is None
    with tenant_context(business):
        assert not ElectronicDocument.objects.filter(
            source=f"return:{response.json()['id']}"
        ).exists()
    assert stock_of(business, soda) == D("9")


def test_void_and_return_exclude_each_other(client, business, post, goods, manager):
    soda, _ = goods
    returned = post([(soda, 2)])
    voided = post([(soda, 2)])
    client.force_login(manager)
    (line,) = _lines(returned, business)
    assert _return(client, returned, [(line.pk, 1)]).status_code == 201
    with tenant_context(business):
        sale_void(business=business, sale=voided, actor=manager, reason="Error")
        with pytest.raises(SaleReturnedError):
            sale_void(business=business, sale=returned, actor=manager, reason="x")
    (voided_line,) = _lines(voided, business)

    response = _return(client, voided, [(voided_line.pk, 1)])

    assert response.status_code == 409
    assert response.json()["error"] == AlreadyVoidedError.code


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "", "lines": [{"line": 1, "quantity": "1"}]}, "reason"),
        ({"reason": "x", "lines": []}, "lines"),
        ({"reason": "x", "lines": [{"line": 1, "quantity": "0"}]}, "lines[0].quantity"),
        ({"reason": "x", "lines": [{"line": "a", "quantity": "1"}]}, "lines[0].line"),
    ],
)
def test_bad_bodies_are_400s(client, business, sale, manager, body, field):
    client.force_login(manager)
    response = client.post(
        f"/pos/api/sales/{sale.pk}/returns",
        json.dumps({"idempotency_key": str(uuid.uuid4()), **body}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["error"], response.json()["field"]) == (
        "invalid_return",
        field,
    )
    assert _returns(business) == 0


def test_a_sale_of_another_business_is_not_found(
    client, business, other_business, sale
):
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    client.force_login(intruder)
    soda_line, _ = _lines(sale, business)
    response = _return(client, sale, [(soda_line.pk, 1)])
    assert response.status_code == 404
    assert _returns(business) == 0


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE pos_salereturn SET total = 0",
        "DELETE FROM pos_salereturnline",
    ],
)
def test_returns_are_insert_only_on_postgresql(
    client, business, sale, manager, statement
):
    from django.db import DatabaseError, transaction

    soda_line, _ = _lines(sale, business)
    client.force_login(manager)
    assert _return(client, sale, [(soda_line.pk, 1)]).status_code == 201
    with (
        tenant_context(business),
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_sale_detail_says_what_each_line_has_returned(client, business, sale, manager):
    soda_line, bread_line = _lines(sale, business)
    client.force_login(manager)
    assert _return(client, sale, [(bread_line.pk, "2.5")]).status_code == 201

    lines = client.get(f"/pos/api/sales/{sale.pk}").json()["lines"]

    assert [(x["id"], x["returned"]) for x in lines] == [
        (soda_line.pk, "0"),
        (bread_line.pk, "2.5"),
    ]
    assert lines[0]["total"] == "3.11"  # 2.70 + 0.41 IVA (0.405 rounds up)
