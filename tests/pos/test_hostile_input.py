"""Issue 9 §4: hostile input answers 4xx in the documented shape, writing nothing."""

import json
import uuid

import pytest
from django.test import Client

from backoffice.inventory.models import StockMove
from backoffice.tenancy.context import tenant_context
from pos.models import CashMovement, CashSession, Payment, Sale

pytestmark = pytest.mark.django_db
SALES = "/pos/api/sales"
QUOTE = "/pos/api/sales/quote"


@pytest.fixture
def api(client, owner, session):
    client.force_login(owner)
    return client


def _counts(business) -> tuple:
    with tenant_context(business):
        return (
            Sale.objects.count(),
            Payment.objects.count(),
            StockMove.objects.count(),
            CashMovement.objects.count(),
            CashSession.objects.count(),
            CashSession.objects.filter(closed_at__isnull=False).count(),
        )


def _raw(client, url, data: bytes | str):
    return client.post(url, data, content_type="application/json")


def _sale(product, **overrides) -> dict:
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "lines": [{"product": product.pk, "quantity": "2", "discount": "0"}],
        "payments": [{"method": "01", "amount": "10.00"}],
    }
    body.update(overrides)
    return body


def _refused(response, status=400, field=None, error=None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"error", "detail", "field"}
    assert data["detail"]
    if field is not None:
        assert data["field"] == field
    if error is not None:
        assert data["error"] == error
    return data


@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize(
    "url", [SALES, QUOTE, "/pos/api/cash-sessions", "/pos/api/supervisor-pin"]
)
def test_deeply_nested_json_is_400(api, business, depth, url):
    before = _counts(business)
    data = '{"lines": ' + "[" * depth + "]" * depth + "}"
    _refused(_raw(api, url, data), error="invalid_json")
    assert _counts(business) == before


def test_moderately_nested_json_over_the_depth_limit_is_400(api, business, product):
    deep = "[" * 40 + "]" * 40
    data = json.dumps(_sale(product))[:-1] + f', "extra": {deep}}}'
    _refused(_raw(api, SALES, data), error="invalid_json")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


HUGE = ['"1e999"', '"1e30"', "1e999", '"-1e999"', '"NaN"', '"Infinity"', "1e30"]


@pytest.mark.parametrize("value", HUGE)
def test_huge_line_discount_is_400(api, business, product, value):
    for url in (SALES, QUOTE):
        body = json.dumps(_sale(product))
        body = body.replace('"discount": "0"', f'"discount": {value}')
        _refused(_raw(api, url, body), field="lines[0].discount")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("value", [*HUGE, '"1000000000000.00"', '"123456789012345"'])
def test_huge_payment_amount_is_400(api, business, product, value):
    body = json.dumps(_sale(product)).replace('"amount": "10.00"', f'"amount": {value}')
    _refused(_raw(api, SALES, body), field="payments[0].amount")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_cash_tendered_past_the_money_limit_is_400(api, business, product):
    # Each amount fits the column; their sum (the stored `tendered`) would not.
    pay = [{"method": "01", "amount": "999999999999.00"}] * 2
    _refused(api.post(SALES, _sale(product, payments=pay), "application/json"))
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("value", HUGE)
def test_huge_opening_float_is_400(client, owner, business, value):
    client.force_login(owner)
    body = '{"opening_float": ' + value + "}"
    _refused(_raw(client, "/pos/api/cash-sessions", body), field="opening_float")
    assert _counts(business) == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("value", [*HUGE, '"1000000000000"'])
def test_huge_movement_amount_is_400(api, business, session, value):
    url = f"/pos/api/cash-sessions/{session.pk}/movements"
    body = '{"kind": "in", "reason": "x", "amount": ' + value + "}"
    _refused(_raw(api, url, body), field="amount")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("value", [*HUGE, '"1000000000000"'])
def test_huge_counted_amount_is_400(api, business, session, value):
    url = f"/pos/api/cash-sessions/{session.pk}/close"
    _refused(_raw(api, url, '{"counted": {"01": ' + value + "}}"), field="counted.01")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_counted_amounts_adding_past_the_limit_are_400(api, business, session):
    url = f"/pos/api/cash-sessions/{session.pk}/close"
    big = "999999999999.00"
    counted = {"01": big, "16": big, "19": big, "20": big}
    _refused(api.post(url, {"counted": counted}, "application/json"))
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_nul_in_a_movement_reason_is_400(api, business, session):
    url = f"/pos/api/cash-sessions/{session.pk}/movements"
    body = {"kind": "in", "amount": "1.00", "reason": "caja\x00chica"}
    _refused(api.post(url, body, "application/json"), field="reason")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("url", ["/pos/api/products", "/pos/api/customers"])
def test_nul_in_a_lookup_query_is_400(api, url):
    _refused(api.get(url, {"q": "caf\x00é"}), field="q")


@pytest.mark.parametrize("url", ["/pos/api/products", "/pos/api/customers"])
def test_overlong_lookup_query_is_400(api, url):
    _refused(api.get(url, {"q": "x" * 10_000}), field="q")


def test_seventy_thousand_modifiers_are_400(api, business, product):
    line = {"product": product.pk, "quantity": "1", "modifiers": list(range(1, 70_001))}
    for url in (SALES, QUOTE):
        body = _sale(product, lines=[line])
        _refused(api.post(url, body, "application/json"), field="lines[0].modifiers")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_seventy_thousand_lines_are_4xx(api, business, product):
    lines = [{"product": product.pk}] * 70_000
    for url in (SALES, QUOTE):
        response = api.post(url, _sale(product, lines=lines), "application/json")
        assert response.status_code in (400, 413)
        _refused(response, status=response.status_code)
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_more_lines_than_the_limit_are_400_naming_lines(api, business, product):
    lines = [{"product": product.pk}] * 501
    for url in (SALES, QUOTE):
        body = _sale(product, lines=lines)
        _refused(api.post(url, body, "application/json"), field="lines")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("big", [2**63, 10**30, -1])
def test_out_of_range_ids_are_4xx(api, business, product, big):
    bodies = [
        _sale(product, lines=[{"product": big}]),
        _sale(product, customer={"id": big}),
        _sale(product, emission_point=big),
        _sale(product, lines=[{"product": product.pk, "modifiers": [big]}]),
    ]
    for body in bodies:
        assert api.post(SALES, body, "application/json").status_code == 400
    for url in (
        f"/pos/api/sales/{big}",
        f"/pos/api/cash-sessions?emission_point={big}",
    ):
        assert api.get(url).status_code in (400, 404)
    if big > 0:
        for url in (
            f"/pos/api/sales/{big}/void",
            f"/pos/api/cash-sessions/{big}/close",
        ):
            _refused(api.post(url, {}, "application/json"), status=404)
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_body_over_the_size_limit_is_413(api, business, product):
    body = json.dumps(_sale(product, note="x" * 2_000_000))
    _refused(_raw(api, SALES, body), status=413, error="body_too_large")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_csrf_failure_on_the_api_is_json_403(owner, session, product):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    _refused(
        client.post(SALES, _sale(product), "application/json"),
        status=403,
        error="csrf_failed",
    )


def test_anonymous_api_post_is_json_401_or_403(business, product):
    client = Client(enforce_csrf_checks=True)
    response = client.post(SALES, _sale(product), "application/json")
    assert response.status_code in (401, 403)
    _refused(response, status=response.status_code)
    _refused(Client().get("/pos/api/products"), status=401, error="not_authenticated")


def test_csrf_failure_elsewhere_keeps_the_html_page(owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_empty_body_is_invalid_json(api, business):
    for url in (SALES, QUOTE, "/pos/api/supervisor-pin"):
        _refused(_raw(api, url, b""), error="invalid_json")
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_nul_in_any_text_of_a_sale_is_400(api, business, product):
    bodies = [
        _sale(product, payments=[{"method": "01", "amount": "10", "reference": "\0"}]),
        _sale(product, payments=[{"method": "0\x001", "amount": "10"}]),
        _sale(product, idempotency_key="\x00"),
    ]
    for body in bodies:
        _refused(api.post(SALES, body, "application/json"))
    assert _counts(business) == (0, 0, 0, 0, 1, 0)


def test_a_good_sale_still_posts(api, business, product):
    response = api.post(SALES, _sale(product), "application/json")
    assert response.status_code == 201
    assert response.json()["total"] == "4.60"
    mixed = _sale(
        product,
        payments=[
            {"method": "19", "amount": "1.00", "reference": "VISA"},
            {"method": "01", "amount": "5.00"},
        ],
    )
    data = api.post(SALES, mixed, "application/json").json()
    assert (data["tendered"], data["change"]) == ("5.00", "1.40")


def test_category_iva_is_the_authoritative_tax(api, business):
    from tests.pos.conftest import make_product

    product = make_product(business, code="T222", price="2.22")
    lines = [{"product": product.pk, "quantity": "1"}] * 3
    body = _sale(product, lines=lines, payments=[{"method": "01", "amount": "20"}])
    data = api.post(SALES, body, "application/json").json()
    assert [line["tax"] for line in data["lines"]] == ["0.33"] * 3
    assert data["taxes"][0]["tax"] == data["tax"] == "1.00"
    assert data["total"] == "7.66"


def test_line_without_quantity_sells_one(api, product):
    body = _sale(product, lines=[{"product": product.pk}])
    data = api.post(SALES, body, "application/json").json()
    assert data["lines"][0]["quantity"] == "1"


def test_no_open_session_lookup_is_404_cash_session_closed(client, owner):
    client.force_login(owner)
    _refused(
        client.get("/pos/api/cash-sessions"),
        status=404,
        error="cash_session_closed",
        field="emission_point",
    )


# On PostgreSQL a value the database refuses (NUL, numeric overflow, more than
# 65,535 parameters) aborts the transaction; these prove the services refuse
# first, and that the connection is still usable afterwards.


@pytest.mark.postgres
def test_services_refuse_before_postgresql_would(business, point, owner, session):
    from decimal import Decimal

    from pos.errors import CashInputError, PaymentError, SaleInputError
    from pos.services import LineIn, PaymentIn, cash_movement_add, sale_post
    from tests.pos.conftest import make_product

    product = make_product(business, code="PG1", price="1.00")

    def post(lines, payments):
        return sale_post(
            business=business,
            point=point,
            cashier=owner,
            lines=lines,
            payments=payments,
            key=uuid.uuid4(),
        )

    cash = [PaymentIn("01", Decimal("5.00"))]
    with tenant_context(business):
        with pytest.raises(SaleInputError):
            post(
                [LineIn(product.pk, Decimal(1), modifier_ids=tuple(range(1, 70_001)))],
                cash,
            )
        with pytest.raises(SaleInputError):
            post([LineIn(product.pk, Decimal(1))] * 70_000, cash)
        for amount in ("1000000000000", "1e30"):
            with pytest.raises(PaymentError):
                post([LineIn(product.pk, Decimal(1))], [PaymentIn("01", amount)])
        big = [PaymentIn("01", Decimal("999999999999.00"))] * 2
        with pytest.raises(PaymentError):
            post([LineIn(product.pk, Decimal(1))], big)
        with pytest.raises(CashInputError):
            cash_movement_add(
                business=business,
                session=session,
                user=owner,
                kind="in",
                amount="1.00",
                reason="caja\x00chica",
            )
        with pytest.raises(CashInputError):
            cash_movement_add(
                business=business,
                session=session,
                user=owner,
                kind="in",
                amount="1e13",
                reason="x",
            )
        posted = post([LineIn(product.pk, Decimal(1))], cash)  # the transaction lives
    assert posted.sale.total == Decimal("1.15")
    assert _counts(business) == (1, 1, 0, 0, 1, 0)


@pytest.mark.postgres
def test_api_hostile_inputs_leave_the_transaction_usable(api, business, session):
    from tests.pos.conftest import make_product

    product = make_product(business, code="PG2", price="1.00")
    movements = f"/pos/api/cash-sessions/{session.pk}/movements"
    hostile = [
        (movements, {"kind": "in", "amount": "1.00", "reason": "a\x00b"}),
        (movements, {"kind": "in", "amount": "1000000000000", "reason": "x"}),
        (SALES, _sale(product, payments=[{"method": "01", "amount": "1e12"}])),
        (
            SALES,
            _sale(
                product,
                lines=[{"product": product.pk, "modifiers": list(range(1, 70_001))}],
            ),
        ),
        (QUOTE, {"lines": [{"product": product.pk}] * 70_000}),
    ]
    for url, body in hostile:
        assert api.post(url, body, "application/json").status_code in (400, 413)
    for q in ("a\x00b", "x" * 5000):
        assert api.get("/pos/api/products", {"q": q}).status_code == 400
        assert api.get("/pos/api/customers", {"q": q}).status_code == 400
    assert _counts(business) == (0, 0, 0, 0, 1, 0)
    good = api.post(SALES, _sale(product), "application/json")
    assert good.status_code == 201


def test_csrf_failure_on_the_restaurant_api_is_json_403(owner, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    _refused(
        client.post("/pos/mesas/api/tables/1/open", "{}", "application/json"),
        status=403,
        error="csrf_failed",
    )
