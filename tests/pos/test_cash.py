"""Cash sessions: open, move cash, close with a count, X and Z reports."""

from decimal import Decimal

import pytest

from backoffice.tenancy.context import tenant_context
from pos.errors import CashSessionError
from pos.models import CashSession
from pos.receipts import cash_report_data
from pos.services import (
    PaymentIn,
    cash_movement_add,
    cash_session_close,
    cash_session_open,
)
from tests.pos.conftest import point_of

D = Decimal
pytestmark = pytest.mark.django_db


def test_one_open_session_per_emission_point(business, point, owner, session):
    with tenant_context(business), pytest.raises(CashSessionError):
        cash_session_open(business=business, point=point, user=owner, opening_float=0)


def test_point_of_another_business_is_refused(business, other_business, owner):
    with tenant_context(business), pytest.raises(CashSessionError):
        cash_session_open(
            business=business,
            point=point_of(other_business),
            user=owner,
            opening_float=0,
        )


@pytest.mark.parametrize("amount", ["-1", "0.001", "abc"])
def test_bad_float_is_refused(business, point, owner, amount):
    with tenant_context(business), pytest.raises(CashSessionError):
        cash_session_open(
            business=business, point=point, user=owner, opening_float=amount
        )
    with tenant_context(business):
        assert CashSession.objects.count() == 0


def test_close_computes_expected_counted_and_difference(
    business, session, owner, post, product
):
    # float 50; cash sale 2.30 (paid 5.00); card sale 4.60; in 10; out 3
    post([(product, 1)], [PaymentIn("01", D("5.00"))])
    post([(product, 2)], [PaymentIn("19", D("4.60"))])
    with tenant_context(business):
        cash_movement_add(
            business=business,
            session=session,
            user=owner,
            kind="in",
            amount="10.00",
            reason="Sencillo",
        )
        cash_movement_add(
            business=business,
            session=session,
            user=owner,
            kind="out",
            amount="3.00",
            reason="Hielo",
        )
        closed = cash_session_close(
            business=business,
            session=session,
            user=owner,
            counted={"01": "59.00", "19": "4.60"},
            note="ok",
        )
    assert closed.expected == {"01": "59.30", "19": "4.60"}
    assert closed.counted == {"01": "59.00", "19": "4.60"}
    assert closed.difference == D("-0.30")
    assert closed.closed_by == owner and not closed.is_open
    with tenant_context(business), pytest.raises(CashSessionError):
        cash_session_close(business=business, session=closed, user=owner, counted={})


def test_movements_need_an_open_session_a_reason_and_a_positive_amount(
    business, session, owner
):
    with tenant_context(business):
        for kind, amount, reason in (
            ("in", "0", "x"),
            ("out", "-1", "x"),
            ("in", "1", ""),
            ("void", "1", "x"),
        ):
            with pytest.raises(CashSessionError):
                cash_movement_add(
                    business=business,
                    session=session,
                    user=owner,
                    kind=kind,
                    amount=amount,
                    reason=reason,
                )
        cash_session_close(business=business, session=session, user=owner, counted={})
        with pytest.raises(CashSessionError):
            cash_movement_add(
                business=business,
                session=session,
                user=owner,
                kind="in",
                amount="1",
                reason="tarde",
            )


def test_x_and_z_reports(business, session, owner, post, product):
    post([(product, 1)])
    with tenant_context(business):
        x = cash_report_data(business=business, session=session)
        closed = cash_session_close(
            business=business, session=session, user=owner, counted={"01": "52.30"}
        )
        z = cash_report_data(business=business, session=closed)
    assert x.title.startswith("REPORTE X")
    assert z.title.startswith("REPORTE Z")
    sales = dict(x.sections[0][1])
    assert sales["Número de ventas"] == "1" and sales["Total vendido"] == "2.30"
    counted = dict(z.sections[-1][1])
    assert counted["Diferencia"] == "0.00"
    assert counted["Diferencia Efectivo"] == "0.00"
