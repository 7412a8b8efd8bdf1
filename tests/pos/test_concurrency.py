"""Real threads on PostgreSQL: gap-free numbers, stock limits, idempotency."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from backoffice.inventory.services import InsufficientStockError
from backoffice.tenancy.context import tenant_context
from pos.errors import IdempotencyKeyReusedError
from pos.models import Payment, Sale, SaleLine, SaleTax
from pos.services import LineIn, PaymentIn, sale_post
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product, stock_of

D = Decimal
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(business, fn):
    """Run fn in this thread's own tenant context, closing its connection after."""

    def run(*args):
        try:
            with tenant_context(business):
                return fn(*args)
        finally:
            connection.close()

    return run


def _sale(business, point, cashier, product, key=None, quantity="1"):
    return sale_post(
        business=business,
        point=point,
        cashier=cashier,
        lines=[LineIn(product.pk, D(str(quantity)))],
        payments=[PaymentIn("01", D("20.00"))],
        key=key or uuid.uuid4(),
    )


def test_8_cashiers_x_50_sales_give_numbers_1_to_400(business, point, session):
    product = make_product(business, code="C", price="1.00")
    cashiers = [UserFactory() for _ in range(8)]
    for user in cashiers:
        membership(business, user, "cashier")
    start = threading.Barrier(8)

    def shift(cashier):
        start.wait()
        return [_sale(business, point, cashier, product).sale.number for _ in range(50)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(_in_thread(business, shift), cashiers))
    numbers = sorted(n for shift_numbers in results for n in shift_numbers)
    assert numbers == list(range(1, 401))
    with tenant_context(business):
        assert Sale.objects.count() == 400
        docs = set(Sale.objects.values_list("document_number", flat=True))
    assert len(docs) == 400 and "001-001-000000400" in docs


def test_20_concurrent_sales_of_10_units_sell_exactly_10(
    business, point, session, cashier
):
    product = make_product(business, code="L", price="1.00", stock=10)
    start = threading.Barrier(20)

    def buy(_):
        start.wait()
        try:
            return _sale(business, point, cashier, product).sale.number
        except InsufficientStockError:
            return None

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(_in_thread(business, buy), range(20)))
    sold = [n for n in results if n is not None]
    assert len(sold) == 10
    assert sorted(sold) == list(range(1, 11))  # refused sales burnt no number
    assert stock_of(business, product) == D("0")
    with tenant_context(business):
        assert Sale.objects.count() == 10


def test_same_key_posted_10_times_concurrently_gives_one_sale(
    business, point, session, cashier
):
    product = make_product(business, code="K", price="1.00", stock=100)
    key = uuid.uuid4()
    start = threading.Barrier(10)

    def post(_):
        start.wait()
        posted = _sale(business, point, cashier, product, key=key)
        return posted.sale.pk, posted.replayed

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(_in_thread(business, post), range(10)))
    assert len({pk for pk, _ in results}) == 1
    assert [replayed for _, replayed in results].count(False) == 1
    assert stock_of(business, product) == D("99")
    with tenant_context(business):
        assert Sale.objects.count() == 1


def test_failure_after_lines_inserted_leaves_nothing_committed(
    business, point, session, cashier, monkeypatch
):
    from pos.services import checkout

    product = make_product(business, code="F", price="1.00", stock=5)
    inserted = []

    def count_then_fail(*, sale, **kwargs):
        # Inside the checkout's batch, after its inserts were sent.
        inserted.append(SaleLine.objects.filter(sale=sale).count())
        raise RuntimeError("power cut")

    monkeypatch.setattr(checkout, "sale_invoice_issue", count_then_fail)
    with tenant_context(business), pytest.raises(RuntimeError):
        _sale(business, point, cashier, product)
    assert inserted == [1]  # the lines really were written before the failure
    with tenant_context(business):
        assert Sale.objects.count() == 0
        assert SaleLine.objects.count() == 0
        assert Payment.objects.count() == 0
        assert SaleTax.objects.count() == 0
    assert stock_of(business, product) == D("5")
    monkeypatch.undo()
    with tenant_context(business):
        assert _sale(business, point, cashier, product).sale.number == 1


def test_same_key_with_two_carts_concurrently_gives_one_sale_and_409s(
    business, point, session, cashier
):
    product = make_product(business, code="K2", price="1.00", stock=100)
    key = uuid.uuid4()
    start = threading.Barrier(10)

    def post(n):
        start.wait()
        try:
            posted = _sale(
                business, point, cashier, product, key=key, quantity=n % 2 + 1
            )
        except IdempotencyKeyReusedError:
            return n % 2 + 1, "reused"
        return n % 2 + 1, posted.replayed

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(_in_thread(business, post), range(10)))
    with tenant_context(business):
        (sold,) = Sale.objects.values_list("lines__quantity", flat=True)
    # the winning cart's requests got the sale (once new, else replayed) and the
    # other cart's were all refused
    winner = [r for q, r in results if q == sold]
    loser = [r for q, r in results if q != sold]
    assert sorted(winner, key=str) == [False, True, True, True, True]
    assert loser == ["reused"] * 5
    assert stock_of(business, product) == D(100) - sold
