"""The POS JSON API: 201 / 200 replay / 4xx, auth, CSRF, look-ups, tenancy."""

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from backoffice.tenancy.context import tenant_context
from pos.models import Sale
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db
URL = "/pos/api/sales"


@pytest.fixture
def api(client, cashier, session):
    client.force_login(cashier)
    return client


def _body(product, **overrides):
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "lines": [{"product": product.pk, "quantity": "2", "discount": "0"}],
        "payments": [{"method": "01", "amount": "10.00"}],
        "customer": None,
    }
    body.update(overrides)
    return body


def _post(client, body, url=URL):
    return client.post(url, json.dumps(body), content_type="application/json")


def _sales(business):
    with tenant_context(business):
        return Sale.objects.count()


def test_post_sale_returns_201_with_totals_and_receipt(api, business, product):
    response = _post(api, _body(product))
    assert response.status_code == 201
    data = response.json()
    assert data["number"] == "001-001-000000001"
    assert (data["subtotal"], data["tax"], data["total"]) == ("4.00", "0.60", "4.60")
    assert data["change"] == "5.40"
    assert data["taxes"] == [
        {"tax_code": "4", "rate": "15", "base": "4.00", "tax": "0.60"}
    ]
    assert data["payments"] == [{"method": "01", "amount": "4.60", "reference": ""}]
    assert data["customer"]["identification"] == "9999999999999"
    assert data["receipt_url"] == f"/pos/sales/{data['id']}/receipt.pdf"


def test_replayed_key_returns_200_and_the_same_sale(api, business, product):
    body = _body(product)
    first = _post(api, body)
    again = _post(api, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert _sales(business) == 1


def test_reused_key_with_another_cart_is_409_and_writes_nothing(api, business, product):
    body = _body(product)
    first = _post(api, body)
    other = dict(body, lines=[{"product": product.pk, "quantity": "3"}])
    again = _post(api, other)
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["error"] == "idempotency_key_reused"
    assert again.json()["field"] == "idempotency_key"
    assert "001-001-000000001" in again.json()["detail"]
    assert _sales(business) == 1
    # the original request still replays
    assert _post(api, body).json()["id"] == first.json()["id"]


def test_json_numbers_are_read_as_decimals(api, product):
    body = _body(product, lines=[{"product": product.pk, "quantity": 0.1}])
    body["payments"] = [{"method": "01", "amount": 0.23}]
    response = _post(api, body)
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "0.23"


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"idempotency_key": "nope"}, "invalid_sale", "idempotency_key"),
        ({"lines": []}, "invalid_sale", "lines"),
        (
            {"lines": [{"product": 999999, "quantity": 1}]},
            "unknown_product",
            "lines[0].product",
        ),
        (
            {"lines": [{"product": "x", "quantity": 1}]},
            "invalid_sale",
            "lines[0].product",
        ),
        (
            {"payments": [{"method": "01", "amount": "1.00"}]},
            "invalid_payment",
            "payments",
        ),
        ({"customer": {"id": 999999}}, "invalid_sale", "customer"),
        ({"emission_point": 999999}, "invalid_sale", "emission_point"),
    ],
)
def test_bad_input_gives_4xx_json_and_writes_nothing(
    api, business, product, change, error, field
):
    response = _post(api, _body(product, **change))
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert _sales(business) == 0


def test_quantity_zero_and_discount_above_line(api, business, product):
    for line, field in (
        ({"product": product.pk, "quantity": "0"}, "lines[0].quantity"),
        (
            {"product": product.pk, "quantity": "1", "discount": "9"},
            "lines[0].discount",
        ),
    ):
        response = _post(api, _body(product, lines=[line]))
        assert response.status_code == 400 and response.json()["field"] == field
    assert _sales(business) == 0


def test_invalid_json_is_400(api):
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


def test_product_of_another_business_is_400(api, business, other_business, product):
    foreign = make_product(other_business, code="F", price="1.00")
    body = _body(product, lines=[{"product": foreign.pk, "quantity": 1}])
    response = _post(api, body)
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_product"
    assert _sales(business) == 0


def test_no_open_cash_session_is_409(client, cashier, business, product):
    client.force_login(cashier)
    response = _post(client, _body(product))
    assert response.status_code == 409
    assert response.json()["error"] == "cash_session_closed"


def test_anonymous_is_401_and_accountant_is_403(client, business, product):
    assert _post(client, _body(product)).status_code == 401
    accountant = UserFactory()
    membership(business, accountant, "accountant")
    client.force_login(accountant)
    assert _post(client, _body(product)).status_code == 403


def test_csrf_is_enforced_for_session_auth(cashier, session, product):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cashier)
    assert _post(client, _body(product)).status_code == 403
    client.get("/pos/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL,
        json.dumps(_body(product)),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_sale_of_another_business_is_404(api, business, other_business, product):
    sale_id = _post(api, _body(product)).json()["id"]
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    other = Client()
    other.force_login(intruder)
    assert other.get(f"/pos/api/sales/{sale_id}").status_code == 404
    assert other.get(f"/pos/sales/{sale_id}/receipt.pdf").status_code == 404
    assert other.get(f"/pos/sales/{sale_id}/receipt").status_code == 404
    assert api.get(f"/pos/api/sales/{sale_id}").json()["number"].endswith("1")


def test_receipts_are_served(api, product):
    sale_id = _post(api, _body(product)).json()["id"]
    pdf = api.get(f"/pos/sales/{sale_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = api.get(f"/pos/sales/{sale_id}/receipt").content.decode()
    assert "001-001-000000001" in html and "4.60" in html


def test_product_lookup_lists_only_own_active_products(
    api, business, other_business, product
):
    make_product(other_business, code="F", name="Café ajeno", price="1.00")
    make_product(business, code="OLD", name="Café viejo", price="1.00", is_active=False)
    data = api.get("/pos/api/products", {"q": "caf"}).json()
    assert [p["name"] for p in data["results"]] == ["Café"]
    assert data["results"][0]["price"] == "2.000000"
    assert data["results"][0]["tax_code"] == "4"


def test_customer_lookup_is_scoped(api, business, other_business, customer):
    from backoffice.customers.models import Customer

    with tenant_context(other_business):
        Customer.objects.create(
            business=other_business,
            id_type="05",
            identification="1708611685",
            name="Carlos Ajeno",
        )
    data = api.get("/pos/api/customers", {"q": "Carlos"}).json()
    assert [c["identification"] for c in data["results"]] == ["1708611684"]


def test_customer_can_be_chosen_by_id(api, product, customer):
    response = _post(api, _body(product, customer={"id": customer.pk}))
    assert response.status_code == 201
    assert response.json()["customer"]["name"] == "Carlos Villacís"


def test_cash_session_flow_through_the_api(client, owner, business, product):
    client.force_login(owner)
    opened = _post(client, {"opening_float": "20.00"}, "/pos/api/cash-sessions")
    assert opened.status_code == 201
    session_id = opened.json()["id"]
    again = _post(client, {"opening_float": "20.00"}, "/pos/api/cash-sessions")
    assert again.status_code == 409
    assert _post(client, _body(product)).status_code == 201  # total 4.60 cash
    moved = _post(
        client,
        {"kind": "out", "amount": "5.00", "reason": "Pago proveedor"},
        f"/pos/api/cash-sessions/{session_id}/movements",
    )
    assert moved.status_code == 201 and moved.json()["amount"] == "-5.00"
    current = client.get("/pos/api/cash-sessions").json()
    assert current["expected"] == {"01": "19.60"}
    x_report = client.get(f"/pos/cash-sessions/{session_id}/report.pdf")
    assert x_report.content.startswith(b"%PDF")
    closed = _post(
        client,
        {"counted": {"01": "19.00"}},
        f"/pos/api/cash-sessions/{session_id}/close",
    )
    assert closed.status_code == 200
    assert closed.json()["difference"] == "-0.60"
    assert _post(client, _body(product)).status_code == 409


def test_void_through_the_api(client, owner, session, business, product):
    client.force_login(owner)
    sale_id = _post(client, _body(product)).json()["id"]
    url = f"/pos/api/sales/{sale_id}/void"
    assert _post(client, {"reason": ""}, url).status_code == 400
    response = _post(client, {"reason": "Cliente desistió"}, url)
    assert response.status_code == 201
    # Sold to CONSUMIDOR FINAL: no nota de crédito, annulled in the SRI portal.
    assert response.json()["credit_note"] is None
    assert response.json()["document"] == "Anulación en portal SRI"
    twice = _post(client, {"reason": "otra vez"}, url)
    assert twice.status_code == 409 and twice.json()["error"] == "already_voided"
    assert client.get(f"/pos/api/sales/{sale_id}").json()["voided"] is True
    assert Decimal(response.json()["total"]) == Decimal("4.60")


def test_quote_prices_a_cart_without_writing(api, business, product):
    body = {"lines": [{"product": product.pk, "quantity": "3", "discount": "1.15"}]}
    response = _post(api, body, "/pos/api/sales/quote")
    assert response.status_code == 200
    # 6.00 − 1.00 (1.15 typed with IVA) = 5.00 base, 0.75 IVA
    assert response.json()["total"] == "5.75"
    assert _sales(business) == 0


def test_other_business_cannot_void_or_read_cash_reports(
    api, business, other_business, product, session
):
    sale_id = _post(api, _body(product)).json()["id"]
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    other = Client()
    other.force_login(intruder)
    response = _post(other, {"reason": "hack"}, f"/pos/api/sales/{sale_id}/void")
    assert response.status_code == 404
    assert other.get(f"/pos/cash-sessions/{session.pk}/report.pdf").status_code == 404
    closing = _post(
        other, {"counted": {}}, f"/pos/api/cash-sessions/{session.pk}/close"
    )
    assert closing.status_code == 404
    from pos.models import Void

    with tenant_context(business):
        assert Void.objects.count() == 0
        session.refresh_from_db()
    assert session.is_open


def test_api_post_query_count_does_not_grow_with_lines(api, business, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    products = [make_product(business, code=f"Q{i}", price="1.00") for i in range(20)]
    counts = []
    _post(api, _body(products[0]))  # the first sale of a point creates its sequence
    for n in (1, 20):
        body = _body(products[0], customer={"id": customer.pk})
        body["lines"] = [{"product": p.pk, "quantity": "1"} for p in products[:n]]
        body["payments"] = [{"method": "01", "amount": "100.00"}]
        with CaptureQueriesContext(connection) as ctx:
            response = _post(api, body)
        assert response.status_code == 201
        assert len(response.json()["lines"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 24


def test_manager_sets_pin_and_cashier_voids_with_it(
    client, api, business, product, session
):
    sale_id = _post(api, _body(product)).json()["id"]
    url = f"/pos/api/sales/{sale_id}/void"
    refused = _post(api, {"reason": "Error"}, url)
    assert refused.status_code == 403 and refused.json()["field"] == "supervisor_pin"
    assert _post(api, {"pin": "1234"}, "/pos/api/supervisor-pin").status_code == 403
    manager = UserFactory()
    membership(business, manager, "manager")
    boss = Client()
    boss.force_login(manager)
    assert _post(boss, {"pin": "12"}, "/pos/api/supervisor-pin").status_code == 400
    assert _post(boss, {"pin": "2468"}, "/pos/api/supervisor-pin").status_code == 400
    assert _post(boss, {"pin": "246802"}, "/pos/api/supervisor-pin").status_code == 200
    assert (
        _post(api, {"reason": "Error", "supervisor_pin": "135791"}, url).status_code
        == 403
    )
    done = _post(api, {"reason": "Error", "supervisor_pin": "246802"}, url)
    assert done.status_code == 201
