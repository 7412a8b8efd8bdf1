"""Checkout, continued: what one transaction rolls back, what it costs in
queries, and what it reads (tests/pos/test_sale_post.py has the rules)."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.inventory.services import InsufficientStockError
from backoffice.tenancy.context import tenant_context
from fiscal.models import DocumentSequence
from pos.errors import (
    IdempotencyKeyReusedError,
    PaymentError,
    SaleInputError,
)
from pos.models import Sale
from pos.services import LineIn, PaymentIn, sale_post
from tests.pos.conftest import (
    assert_refused,
    make_product,
    point_of,
    sale_counts,
    stock_of,
)

D = Decimal
pytestmark = pytest.mark.django_db


def test_insufficient_stock_rolls_back_everything(post, business):
    scarce = make_product(business, code="S", price="1.00", stock=1)
    with tenant_context(business):
        seq_before = list(DocumentSequence.objects.values_list("last_number"))
    assert_refused(post, business, [(scarce, 2)], None, InsufficientStockError)
    assert stock_of(business, scarce) == D("1")
    with tenant_context(business):
        assert list(DocumentSequence.objects.values_list("last_number")) == seq_before


def test_negative_stock_allowed_when_the_business_says_so(post, business):
    business.allow_negative_stock = True
    business.save()
    scarce = make_product(business, code="S", price="1.00", stock=1)
    post([(scarce, 3)])
    assert stock_of(business, scarce) == D("-2")


def test_failure_after_lines_inserted_leaves_nothing(
    post, business, product, monkeypatch
):
    from pos.services import checkout

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(checkout, "stock_out", boom)
    before = sale_counts(business)
    with pytest.raises(RuntimeError):
        post([(product, 1)])
    assert sale_counts(business) == before
    monkeypatch.undo()
    assert post([(product, 1)]).number == 1  # the number was not burnt


def test_submission_task_commits_or_rolls_back_with_the_sale(
    post, business, product, monkeypatch, settings
):
    """Transactional outbox: the SRI task row is written in the checkout's
    transaction, so a posted sale always has one and a failed one never does."""
    from django_tasks_db.models import DBTaskResult

    from fiscal.models import ElectronicDocument
    from pos.services import checkout

    settings.TASKS = {"default": {"BACKEND": "fiscal.queue.DatabaseBackend"}}
    task_path = "fiscal.tasks.edoc_submit_task"
    sale = post([(product, 1)])
    with tenant_context(business):
        edoc = ElectronicDocument.objects.get(source=f"sale:{sale.pk}")
    queued = DBTaskResult.objects.filter(task_path=task_path)
    assert [t.args_kwargs for t in queued] == [
        {"args": [edoc.pk], "kwargs": {"business_id": business.pk}}
    ]

    real_issue = checkout.sale_invoice_issue

    def issue_then_fail(**kwargs):
        real_issue(**kwargs)
        assert DBTaskResult.objects.filter(task_path=task_path).count() == 2
        raise RuntimeError("power cut")

    monkeypatch.setattr(checkout, "sale_invoice_issue", issue_then_fail)
    with pytest.raises(RuntimeError):
        post([(product, 1)])
    assert DBTaskResult.objects.filter(task_path=task_path).count() == 1


def _queries_for(post, business, customer, n_lines):
    products = [
        make_product(business, code=f"Q{n_lines}-{i}", price="1.00", stock=500)
        for i in range(n_lines)
    ]
    with CaptureQueriesContext(connection) as ctx:
        post([(p, 1) for p in products], customer=customer)
    return len(ctx.captured_queries)


def test_query_count_is_the_same_for_1_and_100_lines(
    post, business, customer, django_assert_max_num_queries
):
    one = _queries_for(post, business, customer, 1)
    products = [
        make_product(business, code=f"H{i}", price="1.00", stock=500)
        for i in range(100)
    ]
    with django_assert_max_num_queries(one):
        sale = post([(p, 1) for p in products], customer=customer)
    # SAVEPOINT, then sent together: key look-up, cash session (+ final
    # consumer), products, numbering (UPDATE … RETURNING), the sale's and the
    # factura's ids (one statement); then together: sale, lines, taxes,
    # payments, stock moves, levels (one upsert on both databases), factura,
    # its submission task; RELEASE: 15. The point's first sale also creates its
    # sequence row and takes the number again (+3).
    assert one == 18
    with tenant_context(business):
        assert sale.lines.count() == 100


@pytest.mark.parametrize("by_id", [False, True], ids=["instance", "id"])
def test_emission_point_of_another_business_is_refused(
    business, other_business, cashier, session, product, by_id
):
    foreign = point_of(other_business)
    with tenant_context(business), pytest.raises(SaleInputError) as refused:
        sale_post(
            business=business,
            point=foreign.pk if by_id else foreign,
            cashier=cashier,
            lines=[LineIn(product.pk, D("1"))],
            payments=[PaymentIn("01", D("5"))],
            key=uuid.uuid4(),
        )
    assert refused.value.field == "emission_point"
    assert sale_counts(business) == (0, 0, 0, 0, 0)


def test_the_point_given_by_id_is_read_with_the_cart(
    business, point, cashier, session, product
):
    """The API passes the id the page sends: the checkout reads the point (and
    its establishment, for the number) with its other reads. An inactive
    point, or an id that is no point, is refused and writes nothing."""
    with tenant_context(business):
        posted = sale_post(
            business=business,
            point=point.pk,
            cashier=cashier,
            lines=[LineIn(product.pk, D("1"))],
            payments=[PaymentIn("01", D("20"))],
            key=uuid.uuid4(),
        )
        assert posted.sale.emission_point_id == point.pk
        assert posted.sale.document_number == "001-001-000000001"
        point.is_active = False
        point.save(update_fields=["is_active"])
        for bad in (point.pk, 10**12, "1", None):
            with pytest.raises(SaleInputError) as refused:
                sale_post(
                    business=business,
                    point=bad,
                    cashier=cashier,
                    lines=[LineIn(product.pk, D("1"))],
                    payments=[PaymentIn("01", D("20"))],
                    key=uuid.uuid4(),
                )
            assert refused.value.field == "emission_point"
    assert sale_counts(business)[0] == 1


def test_absurd_quantities_are_refused_not_crashing(post, business, product):
    assert_refused(
        post,
        business,
        [(product, "100000000")],
        None,
        SaleInputError,
        "lines[0].quantity",
    )
    assert_refused(post, business, [(product, "99999999")] * 10, None, SaleInputError)


def test_sale_get_loads_lines_taxes_and_payments_in_four_queries(
    post, business, product, django_assert_num_queries
):
    from pos.selectors import sale_get

    sale = post([(product, 2), (product, 1)])
    with tenant_context(business), django_assert_num_queries(4):
        loaded = sale_get(business=business, pk=sale.pk)
        assert [x.position for x in loaded.lines.all()] == [1, 2]
        assert [t.tax_code for t in loaded.taxes.all()] == ["4"]
        assert [p.method for p in loaded.payments.all()] == ["01"]
        assert loaded.emission_point.establishment.code == "001"


def test_a_replay_takes_no_number_and_a_refused_sale_gives_its_number_back(
    post, business
):
    """The checkout takes the number in the same round trip as the key look-up:
    a replay, and a sale refused after the reads, roll it back (gap-free)."""
    coffee = make_product(business, code="CAFE", price="0.10", stock=10)
    key = uuid.uuid4()
    first = post([(coffee, 1)], key=key)
    again = post([(coffee, 1)], key=key, full=True)
    assert again.replayed and again.sale.pk == first.pk
    with pytest.raises(IdempotencyKeyReusedError):
        post([(coffee, 2)], key=key)
    with pytest.raises(PaymentError):
        post([(coffee, 1)], [PaymentIn("01", D("0.05"))])
    with pytest.raises(InsufficientStockError):
        post([(coffee, 100)])
    second = post([(coffee, 1)])
    assert (first.number, second.number) == (1, 2)
    with tenant_context(business):
        sequence = DocumentSequence.objects.get(doc_type="01")
        assert sequence.last_number == 2
        assert Sale.objects.count() == 2
