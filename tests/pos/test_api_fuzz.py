"""Issue 9 §4: generated bodies over every POS API endpoint — never a 5xx.

Each endpoint of pos/urls.py under `api/` gets EXAMPLES generated requests
(structured bodies with hostile values, random JSON, raw bytes, deep nesting,
query strings); every answer is < 500, and a 4xx answer is the documented JSON
error and wrote nothing (sales, payments, stock moves, cash rows unchanged).
"""

import json
import re
import uuid

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.customers.models import Customer
from backoffice.inventory.models import StockMove
from backoffice.tenancy.context import tenant_context
from pos import urls as pos_urls
from pos.models import CashMovement, CashSession, Payment, Sale, SaleReturn

pytestmark = pytest.mark.django_db
EXAMPLES = 100  # × 11 endpoints = 1,100 requests
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

RAW = "__raw__"  # a string "__raw__1e999" is written to JSON as the bare number
HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-0",
    "1",
    "-1",
    "0.001",
    "2.50",
    "1e999",
    "-1e999",
    "1e30",
    "1e-999999999",
    "NaN",
    "Infinity",
    "999999999999.99",
    "1000000000000",
    "123456789012345678901234567890",
    "9" * 60,
    "1_000",
    "0x10",
    "٣",
    "\x00",
    "caja\x00chica",
    "01",
    "19",
    "in",
    "out",
    "final",
    "x" * 400,
]
RAW_NUMBERS = ["1e999", "-1e999", "1e30", "1E400", "-0", "0.0000001", "1" * 30]


REF = "__ref__"  # "__ref__product" is written as the fixture's product id


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(RAW_NUMBERS).map(lambda n: RAW + n),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=12),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)
ANYTHING = st.recursive(  # arbitrary JSON
    SCALARS,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(), kids),
    max_leaves=12,
)


def mostly(good):
    """Usually a good value (to reach the deeper checks), sometimes anything."""
    # (one_of would flatten VALUES' branches and pick `good` rarely)
    return st.integers(0, 7).flatmap(lambda i: VALUES if i == 7 else good)


def ids(name: str):
    """The fixture's real id (as a number or as text) or any value."""
    return mostly(st.sampled_from([REF + name, REF + name + "_text"]))


LINE = st.fixed_dictionaries(
    {"product": ids("product")},
    optional={
        "quantity": mostly(st.sampled_from(["1", "2", "0.5", 3])),
        "discount": mostly(st.sampled_from(["0", "0.10", 0])),
        "modifiers": mostly(st.lists(ids("option"), max_size=2)),
        "discount_percent": mostly(st.sampled_from(["5", "100", 0, "12.5"])),
        "note": mostly(st.sampled_from(["", "sin cebolla"])),
    },
)
PAYMENT = st.fixed_dictionaries(
    {
        "method": mostly(st.sampled_from(["01", "01", "16", "19", "20"])),
        "amount": mostly(st.sampled_from(["50.00", "50", "2.00", "0.01"])),
    },
    optional={"reference": mostly(st.sampled_from(["", "VISA 4242"]))},
)
SALE = st.fixed_dictionaries(
    {
        "idempotency_key": mostly(st.uuids().map(str)),
        "lines": mostly(st.lists(LINE, min_size=1, max_size=3)),
        "payments": mostly(st.lists(PAYMENT, min_size=1, max_size=3)),
    },
    optional={
        "customer": st.sampled_from([{"id": REF + "customer"}, "final"])
        | ids("customer"),
        "emission_point": ids("point"),
        "discount": mostly(st.sampled_from(["0.50", "0", 1])),
        "discount_percent": mostly(st.sampled_from(["10", "0", 50])),
        "approval_pin": VALUES,
    },
)


def keyed(**fields):
    return st.fixed_dictionaries({}, optional=fields)


OTHER_BODIES = st.one_of(
    ANYTHING.map(json.dumps),
    st.binary(max_size=80),
    st.integers(min_value=1, max_value=3000).map(
        lambda n: '{"lines": ' + "[" * n + "]" * n + "}"
    ),
    st.just(""),
)


def bodies(structured):
    """A structured body (JSON text with placeholders), random JSON, raw bytes,
    deep nesting or nothing."""
    return st.integers(0, 9).flatmap(
        lambda i: structured.map(json.dumps) if i < 6 else OTHER_BODIES
    )


COUNTED_METHODS = st.sampled_from(["01", "16", "19", "20"]) | st.text(max_size=3)
BODIES = {
    "sales": bodies(SALE),
    "quote": bodies(
        keyed(
            lines=mostly(st.lists(LINE, max_size=3)),
            discount=VALUES,
            discount_percent=VALUES,
        )
    ),
    "void": bodies(keyed(reason=VALUES, supervisor_pin=VALUES)),
    "pin": bodies(keyed(pin=VALUES)),
    "customer": bodies(
        keyed(
            id_type=mostly(st.sampled_from(["04", "05", "06", "07", "08"])),
            identification=mostly(st.sampled_from(["1710034065", "1790012345001"])),
            name=VALUES,
            email=VALUES,
            phone=VALUES,
        )
    ),
    "return": bodies(
        keyed(
            idempotency_key=mostly(st.uuids().map(str)),
            reason=mostly(st.just("Dañado")),
            pin=VALUES,
            lines=mostly(
                st.lists(
                    st.fixed_dictionaries(
                        {"line": VALUES, "quantity": VALUES},
                    ),
                    max_size=2,
                )
            ),
        )
    ),
    "open": bodies(keyed(emission_point=ids("point"), opening_float=VALUES)),
    "move": bodies(
        keyed(
            kind=mostly(st.sampled_from(["in", "out"])),
            amount=mostly(st.sampled_from(["1.00", "0.50", 2])),
            reason=mostly(st.just("Cambio")),
        )
    ),
    "close": bodies(
        keyed(
            counted=st.dictionaries(COUNTED_METHODS, VALUES, max_size=4) | VALUES,
            note=VALUES,
        )
    ),
}
QUERIES = st.text(max_size=30) | st.sampled_from(HOSTILE_TEXT)
PKS = st.integers(min_value=0, max_value=2**80)


def _encode(body, world):
    """Placeholders to the fixture's ids; "__raw__1e999" to the bare number."""
    if isinstance(body, bytes):
        return body

    def ref(match):
        value = world[match.group(1)]
        return f'"{value}"' if match.group(2) else str(value)

    body = re.sub(rf'"{REF}([a-z]+)(_text)?"', ref, body)
    return re.sub(rf'"{RAW}([^"]*)"', r"\1", body)


COUNTED = (Sale, Payment, StockMove, CashMovement, CashSession, SaleReturn, Customer)


def _counts(business) -> tuple:
    """Rows of every table a request could write, and closed sessions: one query."""
    counts = ", ".join(
        f"(SELECT COUNT(*) FROM {m._meta.db_table} WHERE business_id = %s)"  # noqa: S608 - tables from model metadata
        for m in COUNTED
    )
    closed = (
        f"(SELECT COUNT(*) FROM {CashSession._meta.db_table} "  # noqa: S608 - table from model metadata
        "WHERE business_id = %s AND closed_at IS NOT NULL)"
    )
    with tenant_context(business), connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, {closed}", [business.pk] * (len(COUNTED) + 1))
        return cursor.fetchone()


def _check(response, before, after):
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400 and response.status_code != 405:
        data = response.json()
        assert set(data) == {"error", "detail", "field"}, data
        assert after == before, (response.status_code, data)


@pytest.fixture
def world(client, owner, business, session, point, customer):
    from backoffice.catalog.models import ModifierGroup, ModifierOption
    from tests.pos.conftest import make_product

    client.force_login(owner)
    product = make_product(business, code="FZ", name="Fuzz", price="3.00", stock="9")
    with tenant_context(business):
        group = ModifierGroup.objects.create(business=business, name="Punto")
        group.products.add(product)
        option = ModifierOption.objects.create(
            business=business, group=group, name="Tres cuartos"
        )
    sale = client.post(
        "/pos/api/sales",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"product": product.pk}],
            "payments": [{"method": "01", "amount": "5.00"}],
        },
        "application/json",
    )
    assert sale.status_code == 201
    return {
        "client": client,
        "business": business,
        "product": product.pk,
        "option": option.pk,
        "point": point.pk,
        "customer": customer.pk,
        "session": session.pk,
        "sale": sale.json()["id"],
    }


def _post(world, url, body):
    business = world["business"]
    before = _counts(business)
    body = _encode(body, world)
    response = world["client"].post(url, body, content_type="application/json")
    _check(response, before, _counts(business))


def _get(world, url, params):
    business = world["business"]
    before = _counts(business)
    response = world["client"].get(url, params)
    _check(response, before, _counts(business))
    assert _counts(business) == before  # a GET never writes


def test_every_api_endpoint_is_fuzzed():
    api = {p.name for p in pos_urls.urlpatterns if str(p.pattern).startswith("api/")}
    assert api == {
        "api-sales",
        "api-sale-quote",
        "api-sale",
        "api-sale-void",
        "api-sale-returns",
        "api-products",
        "api-categories",
        "api-supervisor-pin",
        "api-customers",
        "api-customer-create",
        "api-cash-sessions",
        "api-cash-movements",
        "api-cash-close",
        "api-cash-x-report",
    }, "a new API endpoint needs its fuzz test below"


@FUZZ
@given(body=BODIES["sales"])
def test_fuzz_sales(world, body):
    _post(world, "/pos/api/sales", body)


@FUZZ
@given(body=BODIES["quote"])
def test_fuzz_quote(world, body):
    _post(world, "/pos/api/sales/quote", body)


@FUZZ
@given(pk=PKS | st.just(None))
def test_fuzz_sale_detail(world, pk):
    _get(world, f"/pos/api/sales/{world['sale'] if pk is None else pk}", {})


@FUZZ
@given(pk=PKS | st.just(None), body=BODIES["void"])
def test_fuzz_void(world, pk, body):
    pk = world["sale"] if pk is None else pk
    _post(world, f"/pos/api/sales/{pk}/void", body)


@FUZZ
@given(
    q=QUERIES,
    name=st.sampled_from(["q", "category", "barcode", "page"]),
    extra=QUERIES,
)
def test_fuzz_products(world, q, name, extra):
    _get(world, "/pos/api/products", {"q": q, name: extra})


@FUZZ
@given(q=QUERIES)
def test_fuzz_categories(world, q):
    _get(world, "/pos/api/categories", {"q": q})


@FUZZ
@given(pk=PKS | st.just(None), body=BODIES["return"])
def test_fuzz_returns(world, pk, body):
    pk = world["sale"] if pk is None else pk
    _post(world, f"/pos/api/sales/{pk}/returns", body)


@FUZZ
@given(session=QUERIES | st.just("current"), page=QUERIES)
def test_fuzz_sales_list(world, session, page):
    _get(world, "/pos/api/sales", {"cash_session": session, "page": page})


@FUZZ
@given(q=QUERIES)
def test_fuzz_customers(world, q):
    _get(world, "/pos/api/customers", {"q": q})


@FUZZ
@given(body=BODIES["customer"])
def test_fuzz_customer_create(world, body):
    _post(world, "/pos/api/customers/new", body)


@FUZZ
@given(body=BODIES["pin"])
def test_fuzz_supervisor_pin(world, body):
    _post(world, "/pos/api/supervisor-pin", body)


@FUZZ
@given(point=st.none() | QUERIES, body=BODIES["open"])
def test_fuzz_cash_sessions(world, point, body):
    if point is not None:
        _get(world, "/pos/api/cash-sessions", {"emission_point": point})
    else:
        _post(world, "/pos/api/cash-sessions", body)


@FUZZ
@given(pk=PKS | st.just(None), body=BODIES["move"])
def test_fuzz_cash_movements(world, pk, body):
    pk = world["session"] if pk is None else pk
    _post(world, f"/pos/api/cash-sessions/{pk}/movements", body)


@FUZZ
@given(pk=PKS | st.just(None))
def test_fuzz_x_report(world, pk):
    pk = world["session"] if pk is None else pk
    _get(world, f"/pos/api/cash-sessions/{pk}/x-report", {})


@FUZZ
@given(pk=PKS | st.just(None), body=BODIES["close"])
def test_fuzz_cash_close(world, pk, body):
    pk = world["session"] if pk is None else pk
    _post(world, f"/pos/api/cash-sessions/{pk}/close", body)
