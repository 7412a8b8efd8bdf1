"""Voids: who may, what they reverse, and only once."""

from decimal import Decimal

import pytest

from backoffice.inventory.models import StockMove
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Membership
from pos import signals
from pos.errors import (
    AlreadyVoidedError,
    CashSessionClosedError,
    VoidInputError,
    VoidNotAllowedError,
)
from pos.models import CashMovement, Void
from pos.selectors import cash_session_summary
from pos.services import (
    PaymentIn,
    cash_session_close,
    sale_void,
    supervisor_pin_set,
)
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
def stocked(business):
    return make_product(business, code="GAS", name="Gaseosa", price="1.00", stock=10)


@pytest.fixture
def sale(post, stocked):
    return post(
        [(stocked, 3)],
        [PaymentIn("16", D("2.00"), "DEB"), PaymentIn("01", D("5.00"))],
    )


def _void(business, sale, actor, reason="Error de digitación", pin=""):
    with tenant_context(business):
        return sale_void(
            business=business,
            sale=sale,
            actor=actor,
            reason=reason,
            supervisor_pin=pin,
        )


def test_manager_voids_with_credit_note_stock_and_cash_reversal(
    business, sale, manager, stocked, session, django_capture_on_commit_callbacks
):
    assert stock_of(business, stocked) == D("7")
    received = []

    def receiver(sender, void, **kwargs):
        received.append(void)

    signals.sale_voided.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            void = _void(business, sale, manager)
    finally:
        signals.sale_voided.disconnect(receiver)
    assert received == [void]
    # CONSUMIDOR FINAL: annulled in the SRI portal, no credit-note number taken.
    assert (void.number, void.document_number, void.total) == (None, "", D("3.45"))
    assert void.document_label == "Anulación en portal SRI"
    assert void.actor == manager and void.authorized_by == manager
    assert void.reason == "Error de digitación"
    assert void.needs_portal_annulment  # sold to CONSUMIDOR FINAL
    assert stock_of(business, stocked) == D("10")
    with tenant_context(business):
        moves = list(
            StockMove.objects.filter(reason=StockMove.Reason.VOID).values_list(
                "quantity", "reference"
            )
        )
        cash = sorted(
            CashMovement.objects.filter(void=void).values_list("method", "amount")
        )
        summary = cash_session_summary(business=business, session=session)
    assert moves == [(D("3"), "001-001-000000001")]
    assert cash == [("01", D("-1.45")), ("16", D("-2.00"))]
    assert summary.expected == {"01": D("50.00"), "16": D("0.00")}
    assert (summary.voids_count, summary.voids_total) == (1, D("3.45"))


def test_credit_notes_have_their_own_sequence(
    business, post, stocked, manager, customer
):
    sales = [post([(stocked, 1)], customer=customer) for _ in range(2)]
    voids = [_void(business, s, manager) for s in sales]
    assert [v.number for v in voids] == [1, 2]
    assert [s.number for s in sales] == [1, 2]


def test_voiding_twice_is_refused(business, sale, manager):
    _void(business, sale, manager)
    with pytest.raises(AlreadyVoidedError):
        _void(business, sale, manager)
    with tenant_context(business):
        assert Void.objects.count() == 1


def _nothing_written(business, stocked):
    with tenant_context(business):
        assert Void.objects.count() == 0
        assert CashMovement.objects.count() == 0
    assert stock_of(business, stocked) == D("7")


def test_cashier_needs_a_manager_pin(business, sale, cashier, manager, stocked):
    with pytest.raises(VoidNotAllowedError) as exc:
        _void(business, sale, cashier)
    assert exc.value.status == 403 and exc.value.field == "supervisor_pin"
    with pytest.raises(VoidNotAllowedError):
        _void(business, sale, cashier, pin="000000")
    _nothing_written(business, stocked)
    void = _void(business, sale, cashier, pin="432198")
    assert void.actor == cashier and void.authorized_by == manager


def test_pin_of_a_cashier_does_not_authorise(business, sale, cashier, stocked):
    with tenant_context(business):
        member = Membership.objects.get(business=business, user=cashier)
        supervisor_pin_set(business=business, membership=member, pin="111111")
    with pytest.raises(VoidNotAllowedError):
        _void(business, sale, cashier, pin="111111")
    _nothing_written(business, stocked)


def test_pin_of_another_business_manager_does_not_authorise(
    business, other_business, sale, cashier, stocked
):
    foreign = UserFactory()
    member = membership(other_business, foreign, "owner")
    with tenant_context(other_business):
        supervisor_pin_set(business=other_business, membership=member, pin="999999")
    with pytest.raises(VoidNotAllowedError):
        _void(business, sale, cashier, pin="999999")


def test_pin_is_stored_hashed(business, manager):
    with tenant_context(business):
        stored = Membership.objects.get(business=business, user=manager).pin
    assert stored and "432198" not in stored


def test_reason_is_required(business, sale, manager, stocked):
    with pytest.raises(VoidInputError):
        _void(business, sale, manager, reason="  ")
    _nothing_written(business, stocked)


def test_void_needs_an_open_cash_session(
    business, sale, manager, session, owner, stocked
):
    with tenant_context(business):
        cash_session_close(business=business, session=session, user=owner, counted={})
    with pytest.raises(CashSessionClosedError):
        _void(business, sale, manager)
    _nothing_written(business, stocked)


def test_non_member_cannot_void(business, sale, stocked):
    with pytest.raises(VoidNotAllowedError):
        _void(business, sale, UserFactory())
    _nothing_written(business, stocked)


def test_void_get_loads_what_a_credit_note_needs(
    business, other_business, sale, manager, django_assert_num_queries
):
    from pos.selectors import void_get

    void = _void(business, sale, manager)
    with tenant_context(business):
        with django_assert_num_queries(4):
            loaded = void_get(business=business, pk=void.pk)
            lines = list(loaded.sale.lines.all())
            taxes = list(loaded.sale.taxes.all())
        assert loaded.sale.document_number == "001-001-000000001"
        assert [(x.code, x.quantity) for x in lines] == [("GAS", D("3"))]
        assert [(t.tax_code, t.base, t.tax) for t in taxes] == [
            ("4", D("3.00"), D("0.45"))
        ]
    with tenant_context(other_business):
        assert void_get(business=other_business, pk=void.pk) is None


def test_identified_customer_void_is_a_real_credit_note(
    business, post, stocked, manager, customer
):
    sale = post([(stocked, 1)], customer=customer)
    void = _void(business, sale, manager)
    assert not void.needs_portal_annulment
    assert void.document_number == "001-001-000000001"


def test_credit_note_numbers_stay_gap_free_across_portal_annulments(
    business, post, stocked, manager, customer
):
    # given sales alternating CONSUMIDOR FINAL and an identified customer
    sales = [
        post([(stocked, 1)], customer=customer if n % 2 else None) for n in range(6)
    ]
    # when all are voided
    voids = [_void(business, sale, manager) for sale in sales]
    # then only the identified ones took credit-note numbers, exactly 1..3
    assert [v.number for v in voids] == [None, 1, None, 2, None, 3]
    assert [v.document_number for v in voids if v.number] == [
        "001-001-000000001",
        "001-001-000000002",
        "001-001-000000003",
    ]
    assert [v.needs_portal_annulment for v in voids] == [True, False] * 3
    assert stock_of(business, stocked) == D("10")
