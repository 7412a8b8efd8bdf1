"""Checkout: one atomic, idempotent, numbered, insert-only sale."""

import uuid
from decimal import Decimal

import pytest

from backoffice.tenancy.context import tenant_context
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
from pos.services import PaymentIn, cash_session_close
from tests.pos.conftest import (
    assert_refused,
    make_product,
    sale_counts,
    stock_of,
)

D = Decimal
pytestmark = pytest.mark.django_db


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
    assert sale_counts(business)[0] == 1


@pytest.mark.parametrize(
    "change",
    ["quantity", "discount", "payment", "customer", "extra_line"],
)
def test_same_key_with_a_different_request_is_refused(post, business, customer, change):
    # given a sale of a stocked product posted with a key
    product = make_product(business, code="STK", price="2.00", stock=10)
    key = uuid.uuid4()
    post([(product, 1)], key=key)
    before = (sale_counts(business), stock_of(business, product))
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
    assert (sale_counts(business), stock_of(business, product)) == before


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


def test_product_of_another_business_is_unknown(post, business, other_business):
    foreign = make_product(other_business, code="X", price="1.00")
    assert_refused(
        post, business, [(foreign, 1)], None, UnknownProductError, "lines[0].product"
    )


def test_inactive_product_is_unknown(post, business):
    retired = make_product(business, code="OLD", price="1.00", is_active=False)
    assert_refused(post, business, [(retired, 1)], None, UnknownProductError)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.0000001"])
def test_bad_quantity_is_refused(post, business, product, quantity):
    assert_refused(
        post, business, [(product, quantity)], None, SaleInputError, "lines[0].quantity"
    )


def test_discount_above_the_line_is_refused(post, business, product):
    assert_refused(
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
    assert_refused(post, business, [(product, 1)], payments, PaymentError)


def test_closed_cash_session_is_refused(post, business, product, session, owner):
    with tenant_context(business):
        cash_session_close(business=business, session=session, user=owner, counted={})
    assert_refused(post, business, [(product, 1)], None, CashSessionClosedError)


def test_final_consumer_above_the_limit_must_be_identified(post, business):
    dear = make_product(business, code="TV", price="100.00")
    assert_refused(post, business, [(dear, 1)], None, FinalConsumerLimitError)


def test_customer_of_another_business_is_refused(
    post, business, other_business, product
):
    from backoffice.customers.services import customer_final_consumer

    with tenant_context(other_business):
        foreign = customer_final_consumer(business=other_business)
    assert_refused(
        post, business, [(product, 1)], None, UnknownCustomerError, customer=foreign
    )
