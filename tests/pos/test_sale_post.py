"""Checkout: one atomic, idempotent, numbered, insert-only sale."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.inventory.models import StockMove
from backoffice.inventory.services import InsufficientStockError
from backoffice.tenancy.context import tenant_context
from fiscal.models import DocumentSequence
from pos import signals
from pos.errors import (
    CashSessionClosedError,
    FinalConsumerLimitError,
    IdempotencyKeyReusedError,
    PaymentError,
    SaleInputError,
    UnknownCustomerError,
    UnknownProductError,
)
from pos.models import Payment, Sale, SaleLine, SaleTax
from pos.services import LineIn, PaymentIn, cash_session_close, sale_post
from tests.pos.conftest import make_product, point_of, stock_of

D = Decimal
pytestmark = pytest.mark.django_db


def _counts(business):
    with tenant_context(business):
        return (
            Sale.objects.count(),
            SaleLine.objects.count(),
            Payment.objects.count(),
            SaleTax.objects.count(),
            StockMove.objects.filter(reason=StockMove.Reason.SALE).count(),
        )


def test_cash_sale_is_numbered_computed_and_snapshotted(post, business, cashier):
    # given a 15 % product at 2.00 and a 0 % one at 1.20 (stock 5)
    water = make_product(
        business, code="AGUA", name="Agua", price="1.20", tax="0", stock=5
    )
    coffee = make_product(business, code="CAFE", name="Café", price="2.00")
    # when two coffees (0.50 off) and a water are paid with 10.00 cash
    posted = post(
        [(coffee, 2, "0.50"), (water, 1)], [PaymentIn("01", D("10.00"))], full=True
    )
    sale = posted.sale
    # then
    assert sale.document_number == "001-001-000000001"
    assert sale.number == 1 and posted.replayed is False
    assert sale.cashier == cashier
    assert (sale.customer_id_type, sale.customer_identification) == (
        "07",
        "9999999999999",
    )
    # business default: prices typed with IVA, so 0.50 off is 0.434783 net → 0.43
    assert sale.discount_total == D("0.43")
    assert sale.subtotal == D("3.57") + D("1.20")
    assert sale.tax_total == D("0.54")  # 15 % × 3.57 = 0.5355
    assert sale.total == D("5.31")
    assert (sale.tendered, sale.change) == (D("10.00"), D("4.69"))
    with tenant_context(business):
        lines = list(sale.lines.order_by("position"))
        taxes = {t.tax_code: (t.base, t.tax) for t in sale.taxes.all()}
        payments = list(sale.payments.values_list("method", "amount"))
    assert [(x.code, x.name, x.quantity, x.base, x.tax) for x in lines] == [
        ("CAFE", "Café", D("2"), D("3.57"), D("0.54")),
        ("AGUA", "Agua", D("1"), D("1.20"), D("0.00")),
    ]
    assert lines[0].unit_price == D("2.000000") and lines[0].tax_code == "4"
    assert taxes == {"0": (D("1.20"), D("0.00")), "4": (D("3.57"), D("0.54"))}
    assert payments == [("01", D("5.31"))]  # applied amount: tendered − change
    assert stock_of(business, water) == D("4")


def test_numbers_follow_each_other(post, product):
    numbers = [post([(product, 1)]).number for _ in range(3)]
    assert numbers == [1, 2, 3]


def test_mixed_payments_and_identified_customer(post, business, product, customer):
    business.prices_include_tax = False
    business.service_charge_rate = D("10")
    business.save()
    sale = post(
        [(product, 10)],
        [PaymentIn("19", D("15.00"), "VISA 1234"), PaymentIn("01", D("20.00"))],
        customer=customer,
    )
    # 20.00 base, 3.00 IVA, 2.00 propina
    assert (sale.subtotal, sale.tax_total, sale.service_charge, sale.total) == (
        D("20.00"),
        D("3.00"),
        D("2.00"),
        D("25.00"),
    )
    assert (sale.customer_name, sale.customer_email, sale.customer_phone) == (
        "Carlos Villacís",
        "carlos@example.ec",
        "0999999999",
    )
    with tenant_context(business):
        assert sorted(sale.payments.values_list("method", "amount", "reference")) == [
            ("01", D("10.00"), ""),
            ("19", D("15.00"), "VISA 1234"),
        ]
    assert sale.change == D("10.00")


def test_same_key_returns_the_same_sale(post, business, product):
    key = uuid.uuid4()
    first = post([(product, 1)], key=key)
    # the same request, numbers written differently, is a replay
    again = post([(product, "1.000")], key=key, full=True)
    assert again.sale.pk == first.pk and again.replayed is True
    assert _counts(business)[0] == 1


@pytest.mark.parametrize(
    "change",
    ["quantity", "discount", "payment", "customer", "extra_line"],
)
def test_same_key_with_a_different_request_is_refused(post, business, customer, change):
    # given a sale of a stocked product posted with a key
    product = make_product(business, code="STK", price="2.00", stock=10)
    key = uuid.uuid4()
    post([(product, 1)], key=key)
    before = (_counts(business), stock_of(business, product))
    request = {
        "lines": [(product, 1)],
        "payments": None,
        "customer": None,
    }
    if change == "quantity":
        request["lines"] = [(product, 5)]
    elif change == "discount":
        request["lines"] = [(product, 1, "0.10")]
    elif change == "payment":
        request["payments"] = [PaymentIn("19", Decimal("2.30"), "VISA")]
    elif change == "customer":
        request["customer"] = customer
    else:
        request["lines"] = [(product, 1), (product, 1)]
    # when the key is reused with a different request
    with pytest.raises(IdempotencyKeyReusedError) as raised:
        post(
            request["lines"], request["payments"], key=key, customer=request["customer"]
        )
    # then it is refused with a clear code and nothing is written
    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.status == 409
    assert (_counts(business), stock_of(business, product)) == before


def test_sale_posted_is_sent_after_commit(
    post, product, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, sale, **kwargs):
        received.append(sale)

    signals.sale_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            sale = post([(product, 1)])
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert received == [sale]
    finally:
        signals.sale_posted.disconnect(receiver)


def _assert_refused(post, business, lines, payments, error, field=None, **kw):
    before = _counts(business)
    with pytest.raises(error) as exc:
        post(lines, payments, **kw)
    assert _counts(business) == before
    if field:
        assert exc.value.field == field
    assert exc.value.status in (400, 403, 409)
    return exc.value


def test_product_of_another_business_is_unknown(post, business, other_business):
    foreign = make_product(other_business, code="X", price="1.00")
    _assert_refused(
        post, business, [(foreign, 1)], None, UnknownProductError, "lines[0].product"
    )


def test_inactive_product_is_unknown(post, business):
    retired = make_product(business, code="OLD", price="1.00", is_active=False)
    _assert_refused(post, business, [(retired, 1)], None, UnknownProductError)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0000001"])
def test_bad_quantity_is_refused(post, business, product, quantity):
    _assert_refused(
        post, business, [(product, quantity)], None, SaleInputError, "lines[0].quantity"
    )


def test_discount_above_the_line_is_refused(post, business, product):
    _assert_refused(
        post,
        business,
        [(product, 1, "2.31")],
        None,
        SaleInputError,
        "lines[0].discount",
    )


@pytest.mark.parametrize(
    "payments",
    [
        [PaymentIn("01", D("2.29"))],  # short by one cent (total 2.30)
        [PaymentIn("16", D("3.00"))],  # card above the total
        [PaymentIn("99", D("5.00"))],  # unknown method
        [PaymentIn("01", D("-5.00"))],
        [PaymentIn("01", D("5.001"))],
        [],
    ],
)
def test_payments_not_covering_the_total_are_refused(post, business, product, payments):
    _assert_refused(post, business, [(product, 1)], payments, PaymentError)


def test_closed_cash_session_is_refused(post, business, product, session, owner):
    with tenant_context(business):
        cash_session_close(business=business, session=session, user=owner, counted={})
    _assert_refused(post, business, [(product, 1)], None, CashSessionClosedError)


def test_final_consumer_above_the_limit_must_be_identified(post, business):
    dear = make_product(business, code="TV", price="100.00")
    _assert_refused(post, business, [(dear, 1)], None, FinalConsumerLimitError)


def test_customer_of_another_business_is_refused(
    post, business, other_business, product
):
    from backoffice.customers.services import customer_final_consumer

    with tenant_context(other_business):
        foreign = customer_final_consumer(business=other_business)
    _assert_refused(
        post, business, [(product, 1)], None, UnknownCustomerError, customer=foreign
    )


def test_insufficient_stock_rolls_back_everything(post, business):
    scarce = make_product(business, code="S", price="1.00", stock=1)
    with tenant_context(business):
        seq_before = list(DocumentSequence.objects.values_list("last_number"))
    _assert_refused(post, business, [(scarce, 2)], None, InsufficientStockError)
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

    monkeypatch.setattr(checkout, "_stock_out", boom)
    before = _counts(business)
    with pytest.raises(RuntimeError):
        post([(product, 1)])
    assert _counts(business) == before
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
    assert _counts(business) == (0, 0, 0, 0, 0)


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
    assert _counts(business)[0] == 1


def test_absurd_quantities_are_refused_not_crashing(post, business, product):
    _assert_refused(
        post,
        business,
        [(product, "100000000")],
        None,
        SaleInputError,
        "lines[0].quantity",
    )
    _assert_refused(post, business, [(product, "99999999")] * 10, None, SaleInputError)


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
