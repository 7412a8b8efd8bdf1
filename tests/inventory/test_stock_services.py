"""Receiving, adjusting, counting and transferring stock; the ledger invariant."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel, StockMove
from backoffice.inventory.selectors import stock_level_low_list, stock_level_mismatches
from backoffice.inventory.services import (
    InsufficientStockError,
    LineInput,
    MoveInput,
    StockOperationError,
    stock_adjust,
    stock_count_book,
    stock_moves_apply,
    stock_receive,
    stock_transfer,
)
from backoffice.reports.selectors import low_stock_count
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from tests.catalog.factories import ProductFactory

D = Decimal


@pytest.fixture
def branches(tenant):
    main = Establishment.objects.get(code="001")
    north = Establishment.objects.create(
        business=tenant, code="002", name="Norte", address="Quito"
    )
    return main, north


def level(product, branch):
    row = StockLevel.objects.filter(product=product, establishment=branch).first()
    return row.quantity if row else D("0")


def test_receive_adds_stock_records_supplier_and_updates_cost(tenant, branches, owner):
    main, _ = branches
    product = ProductFactory(cost=D("1"))
    moves = stock_receive(
        business=tenant,
        establishment=main,
        lines=[LineInput(product.pk, D("12"), D("0.85"))],
        supplier="Distribuidora Andina",
        reference="FAC 001-001-123",
        user=owner,
    )
    assert level(product, main) == D("12")
    move = StockMove.objects.get(pk=moves[0].pk)
    assert (move.reason, move.supplier, move.unit_cost, move.user) == (
        "receipt",
        "Distribuidora Andina",
        D("0.85"),
        owner,
    )
    product.refresh_from_db()
    assert product.cost == D("0.85")
    assert product.history.first().history_user == owner


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [LineInput(0, D("0"))],
        [LineInput(0, D("-1"))],
        [LineInput(0, D("1"), D("-2"))],
        [LineInput(0, D("1")), LineInput(0, D("2"))],
    ],
)
def test_receive_refuses_bad_lines_and_writes_nothing(tenant, branches, lines):
    product = ProductFactory()
    lines = [LineInput(product.pk, x.quantity, x.unit_cost) for x in lines]
    with pytest.raises(StockOperationError):
        stock_receive(business=tenant, establishment=branches[0], lines=lines)
    assert not StockMove.objects.exists()


def test_adjust_needs_a_reason(tenant, branches):
    product = ProductFactory()
    with pytest.raises(StockOperationError):
        stock_adjust(
            business=tenant,
            establishment=branches[0],
            lines=[LineInput(product.pk, D("3"))],
            reason=" ",
        )
    stock_adjust(
        business=tenant,
        establishment=branches[0],
        lines=[LineInput(product.pk, D("3"))],
        reason="Regalo de proveedor",
    )
    assert StockMove.objects.get().note == "Regalo de proveedor"


def test_adjust_below_zero_is_refused_unless_the_business_allows_it(tenant, branches):
    product = ProductFactory()
    line = [LineInput(product.pk, D("-1"))]
    with pytest.raises(InsufficientStockError):
        stock_adjust(business=tenant, establishment=branches[0], lines=line, reason="x")
    assert not StockMove.objects.exists()
    tenant.allow_negative_stock = True
    stock_adjust(business=tenant, establishment=branches[0], lines=line, reason="x")
    assert level(product, branches[0]) == D("-1")


def test_count_books_the_differences(tenant, branches):
    main, _ = branches
    a, b, c = ProductFactory.create_batch(3)
    stock_receive(
        business=tenant,
        establishment=main,
        lines=[LineInput(a.pk, D("10")), LineInput(b.pk, D("4"))],
    )
    results = stock_count_book(
        business=tenant,
        establishment=main,
        counts={a.pk: D("7"), b.pk: D("4"), c.pk: D("2")},
    )
    assert {r.product_id: r.difference for r in results} == {
        a.pk: D("-3"),
        b.pk: D("0"),
        c.pk: D("2"),
    }
    assert (level(a, main), level(b, main), level(c, main)) == (D("7"), D("4"), D("2"))
    counted = StockMove.objects.filter(reason="count")
    assert sorted(counted.values_list("quantity", flat=True)) == [D("-3"), D("2")]


def test_transfer_moves_stock_between_branches(tenant, branches):
    main, north = branches
    product = ProductFactory()
    stock_receive(
        business=tenant, establishment=main, lines=[LineInput(product.pk, D("5"))]
    )
    stock_transfer(
        business=tenant,
        source=main,
        destination=north,
        lines=[LineInput(product.pk, D("2"))],
    )
    assert (level(product, main), level(product, north)) == (D("3"), D("2"))


def test_transfer_is_all_or_nothing(tenant, branches):
    main, north = branches
    plenty, scarce = ProductFactory.create_batch(2)
    stock_receive(
        business=tenant,
        establishment=main,
        lines=[LineInput(plenty.pk, D("5")), LineInput(scarce.pk, D("1"))],
    )
    before = StockMove.objects.count()
    with pytest.raises(InsufficientStockError):
        stock_transfer(
            business=tenant,
            source=main,
            destination=north,
            lines=[LineInput(plenty.pk, D("2")), LineInput(scarce.pk, D("3"))],
        )
    assert StockMove.objects.count() == before
    assert (level(plenty, main), level(plenty, north)) == (D("5"), D("0"))
    with pytest.raises(StockOperationError):
        stock_transfer(
            business=tenant,
            source=main,
            destination=main,
            lines=[LineInput(plenty.pk, D("1"))],
        )


def test_services_refuse_another_business_products_and_branches(
    business, other_business
):
    with tenant_context(other_business):
        theirs = ProductFactory()
        their_branch = Establishment.objects.get(code="001")
    with tenant_context(business):
        mine = ProductFactory()
        main = Establishment.objects.get(code="001")
        with pytest.raises(StockOperationError):
            stock_receive(
                business=business,
                establishment=main,
                lines=[LineInput(theirs.pk, D("1"))],
            )
        with pytest.raises(StockOperationError):
            stock_receive(
                business=business,
                establishment=their_branch,
                lines=[LineInput(mine.pk, D("1"))],
            )
        assert not StockMove.objects.exists()


def test_stock_moves_apply_query_count_is_constant(tenant, branches):
    main, _ = branches
    products = ProductFactory.create_batch(20)

    def apply(items):
        moves = [MoveInput(p.pk, main.pk, D("1"), "receipt") for p in items]
        with CaptureQueriesContext(connection) as ctx:
            stock_moves_apply(business=tenant, moves=moves)
        return len(ctx.captured_queries)

    assert apply(products[:1]) == apply(products)


def test_low_stock_selector_matches_the_dashboard(business, other_business):
    for biz in (business, other_business):
        with tenant_context(biz):
            main = Establishment.objects.get(code="001")
            low = ProductFactory(low_stock_threshold=D("5"))
            fine = ProductFactory(low_stock_threshold=D("5"))
            untracked = ProductFactory(low_stock_threshold=D("5"), track_stock=False)
            stock_receive(
                business=biz,
                establishment=main,
                lines=[
                    LineInput(low.pk, D("2")),
                    LineInput(fine.pk, D("9")),
                    LineInput(untracked.pk, D("1")),
                ],
            )
    with tenant_context(business):
        lows = list(stock_level_low_list(business=business))
        assert [x.product.business_id for x in lows] == [business.pk]
        assert len(lows) == low_stock_count(business=business) == 1


# -- the ledger invariant --------------------------------------------------------
quantities = st.decimals(min_value=D("0.001"), max_value=D("50"), places=3)
operation = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 2), st.integers(0, 1), quantities),
    st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(0, 1), quantities),
    st.tuples(st.just("remove"), st.integers(0, 2), st.integers(0, 1), quantities),
    st.tuples(st.just("count"), st.integers(0, 2), st.integers(0, 1), quantities),
    st.tuples(st.just("transfer"), st.integers(0, 2), st.integers(0, 1), quantities),
    st.tuples(st.just("sale"), st.integers(0, 2), st.integers(0, 1), quantities),
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_stock_level_always_equals_the_sum_of_its_moves(tenant, branches, operations):
    products = list(Product.objects.all()[:3])
    while len(products) < 3:
        products.append(ProductFactory())
    with transaction.atomic():
        for kind, p, b, qty in operations:
            _apply(tenant, products[p], branches[b], branches[1 - b], kind, qty)
        assert stock_level_mismatches(business=tenant) == []
        for product in products:
            for branch in branches:
                ledger = sum(
                    StockMove.objects.filter(
                        product=product, establishment=branch
                    ).values_list("quantity", flat=True),
                    D("0"),
                )
                assert level(product, branch) == ledger
        transaction.set_rollback(True)


def _apply(business, product, branch, other, kind, qty):
    line = [LineInput(product.pk, qty)]
    try:
        with transaction.atomic():
            if kind == "receive":
                stock_receive(business=business, establishment=branch, lines=line)
            elif kind == "adjust":
                stock_adjust(
                    business=business, establishment=branch, lines=line, reason="r"
                )
            elif kind == "remove":
                line = [LineInput(product.pk, -qty)]
                stock_adjust(
                    business=business, establishment=branch, lines=line, reason="r"
                )
            elif kind == "count":
                stock_count_book(
                    business=business, establishment=branch, counts={product.pk: qty}
                )
                assert level(product, branch) == qty
            elif kind == "transfer":
                stock_transfer(
                    business=business, source=branch, destination=other, lines=line
                )
            else:
                stock_moves_apply(
                    business=business,
                    moves=[MoveInput(product.pk, branch.pk, -qty, "sale")],
                )
    except InsufficientStockError:
        pass  # refused as a whole: nothing written, the invariant must still hold
