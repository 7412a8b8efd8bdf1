"""Discounts at the counter: line %, order discount spread to the cent, the
cashier's maximum and a manager's PIN above it, line notes (issue 11)."""

import json
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business
from pos.models import PinFailure, Sale
from pos.services import LineIn, OrderDiscount, cart_price, supervisor_pin_set
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db
URL = "/pos/api/sales"


@pytest.fixture
def manager(business):
    user = UserFactory(first_name="Marta")
    member = membership(business, user, "manager")
    with tenant_context(business):
        supervisor_pin_set(business=business, membership=member, pin="432198")
    return user


@pytest.fixture
def limit_10(business):
    with system_context():
        Business.objects.filter(pk=business.pk).update(cashier_max_discount=10)
    business.refresh_from_db()


@pytest.fixture
def api(client, cashier, session):
    client.force_login(cashier)
    return client


@pytest.fixture
def goods(business):
    return [
        make_product(business, code="A", name="Arroz", price="10.00"),
        make_product(business, code="B", name="Pan", price="3.00"),
        make_product(business, code="C", name="Leche", price="1.00", tax="0"),
    ]


def _body(lines, **extra):
    return {
        "idempotency_key": str(uuid.uuid4()),
        "lines": lines,
        "payments": [{"method": "01", "amount": "100.00"}],
        **extra,
    }


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def _sales(business):
    with tenant_context(business):
        return Sale.objects.filter(business=business).count()


def test_line_percent_and_note(api, business, goods):
    arroz = goods[0]
    response = _post(
        api,
        _body(
            [
                {
                    "product": arroz.pk,
                    "quantity": "2",
                    "discount_percent": "10",
                    "note": "  sin cebolla ",
                }
            ]
        ),
    )

    assert response.status_code == 201, response.json()
    (line,) = response.json()["lines"]
    assert (line["discount"], line["base"], line["note"]) == (
        "2.00",
        "18.00",
        "sin cebolla",
    )
    receipt = api.get(response.json()["receipt_html_url"]).content.decode()
    assert "* sin cebolla" in receipt


def test_amount_and_percent_on_one_line_is_a_400(api, business, goods):
    response = _post(
        api,
        _body(
            [
                {
                    "product": goods[0].pk,
                    "discount": "1.00",
                    "discount_percent": "5",
                }
            ]
        ),
    )
    assert response.status_code == 400
    assert response.json()["field"] == "lines[0].discount_percent"
    assert _sales(business) == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"discount_percent": "101"}, "discount_percent"),
        ({"discount": "-1"}, "discount"),
        ({"discount": "1000.00"}, "discount"),
        ({"discount": "1.001"}, "discount"),
    ],
)
def test_bad_order_discount_is_a_400(api, business, goods, extra, field):
    response = _post(api, _body([{"product": goods[0].pk}], **extra))
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert _sales(business) == 0


def test_order_discount_is_spread_over_the_lines(api, business, goods):
    with system_context():
        Business.objects.filter(pk=business.pk).update(prices_include_tax=False)
    lines = [{"product": p.pk, "quantity": "1"} for p in goods]

    response = _post(api, _body(lines, discount="1.40"))

    assert response.status_code == 201, response.json()
    data = response.json()
    # 10.00, 3.00 and 1.00 share 1.40: 1.00, 0.30 and 0.10.
    assert [x["discount"] for x in data["lines"]] == ["1.00", "0.30", "0.10"]
    assert data["discount"] == "1.40" and data["subtotal"] == "12.60"


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    quantities=st.lists(st.integers(min_value=1, max_value=9), min_size=3, max_size=3),
    line_percent=st.integers(min_value=0, max_value=100),
    fraction=st.integers(min_value=0, max_value=100),
)
def test_order_discount_adds_up_to_the_cent(
    business, goods, quantities, line_percent, fraction
):
    """Without IVA in prices, Σ line discounts = line discounts + the order's."""
    business.prices_include_tax = False
    lines = [
        LineIn(p.pk, D(q), discount_percent=D(line_percent) if i == 0 else None)
        for i, (p, q) in enumerate(zip(goods, quantities, strict=True))
    ]
    with tenant_context(business):
        before, _ = cart_price(business=business, lines=lines)
        amount = (before.subtotal * fraction / 100).quantize(D("0.01"), "ROUND_DOWN")
        after, _ = cart_price(
            business=business, lines=lines, order=OrderDiscount(amount=amount)
        )
    assert after.discount == before.discount + amount
    assert after.subtotal == before.subtotal - amount


def test_cashier_above_the_maximum_needs_a_pin(api, business, goods, limit_10):
    over = [{"product": goods[0].pk, "discount_percent": "20"}]

    refused = _post(api, _body(over))
    order = _post(api, _body([{"product": goods[0].pk}], discount_percent="15"))

    assert refused.status_code == 403
    assert refused.json()["error"] == "discount_not_allowed"
    assert refused.json()["field"] == "lines[0].discount"
    assert order.status_code == 403 and order.json()["field"] == "discount"
    assert _sales(business) == 0


def test_cashier_within_the_maximum_needs_nothing(api, business, goods, limit_10):
    response = _post(api, _body([{"product": goods[0].pk, "discount_percent": "10"}]))
    assert response.status_code == 201
    with tenant_context(business):
        assert Sale.objects.get(business=business).discount_approved_by is None


def test_a_manager_pin_lets_it_through_and_is_kept(
    api, business, goods, limit_10, manager, cashier
):
    over = [{"product": goods[0].pk, "discount_percent": "20"}]

    wrong = _post(api, _body(over, approval_pin="000000"))
    right = _post(api, _body(over, approval_pin="432198"))

    assert wrong.status_code == 403 and wrong.json()["detail"] == "PIN incorrecto."
    assert right.status_code == 201, right.json()
    with tenant_context(business):
        sale = Sale.objects.get(business=business)
        failures = PinFailure.objects.filter(business=business, user=cashier).count()
    assert sale.discount_approved_by == manager
    assert failures == 1  # the wrong PIN stays counted (the void's lockout)


def test_a_manager_gives_any_discount(
    client, business, goods, limit_10, manager, session
):
    client.force_login(manager)
    response = _post(client, _body([{"product": goods[0].pk}], discount_percent="50"))
    assert response.status_code == 201
    with tenant_context(business):
        assert Sale.objects.get(business=business).discount_approved_by == manager


def test_quote_says_when_a_pin_will_be_needed(api, business, goods, limit_10):
    def quote(**extra):
        body = {"lines": [{"product": goods[0].pk}], **extra}
        response = api.post(
            "/pos/api/sales/quote", json.dumps(body), content_type="application/json"
        )
        return response.json()

    assert quote(discount_percent="5")["approval_needed"] is False
    over = quote(discount_percent="50")
    assert (over["approval_needed"], over["approval_field"]) == (True, "discount")
    assert over["total"] == "5.75"


def test_replay_with_discounts_is_the_same_sale_and_a_changed_note_is_not(
    api, business, goods
):
    body = _body(
        [{"product": goods[0].pk, "discount_percent": "5", "note": "para llevar"}],
        discount="1.00",
    )
    first = _post(api, body)
    again = _post(api, body)
    body["lines"][0]["note"] = "para servir"
    changed = _post(api, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert changed.status_code == 409
