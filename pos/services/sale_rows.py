"""The rows a checkout reads and writes: the cash session with the buyer, and
the sale, its lines, taxes, payments and stock moves built from the priced
cart (pos/services/checkout.py sends them)."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from backoffice.customers.models import FINAL_CONSUMER_ID, Customer
from backoffice.customers.services import customer_final_consumer
from backoffice.inventory.models import StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from core.sql import build, instance
from fiscal.numbering import format_number

from ..errors import CashSessionClosedError, UnknownCustomerError
from ..models import Payment, Sale, SaleLine, SaleTax
from .statements import BUYER_FIELDS, SESSION_AND_BUYER


def session_lookup(*, business, point_id) -> tuple[str, list]:
    """The statement that locks the point's open cash session and reads the
    business's CONSUMIDOR FINAL (one row, or none without an open session).

    The session is locked so a closing count waits for the sales in flight (the
    sequence lock serialises sales of a point anyway, so this costs no
    concurrency).
    """
    lock = " FOR UPDATE OF s" if connection.features.has_select_for_update else ""
    return SESSION_AND_BUYER.render(connection, lock=lock), [
        FINAL_CONSUMER_ID,
        business.pk,
        point_id,
    ]


def session_and_customer(*, business, row, customer) -> tuple[int, Customer]:
    """The open session's id and the buyer, from `session_lookup`'s row.

    With no customer given, the row's CONSUMIDOR FINAL is built by
    `core.sql.instance` as a queryset would (only the snapshot's fields: the
    rest stay deferred, never read).
    """
    if row is None:
        raise CashSessionClosedError(
            _("No hay una caja abierta en este punto de emisión."),
            field="emission_point",
        )
    session_id, *buyer = row
    if customer is not None:
        if customer.business_id != business.pk:
            raise UnknownCustomerError(_("Cliente no encontrado."), field="customer")
    elif buyer[0] is not None:
        customer = instance(Customer, connection, buyer, BUYER_FIELDS)
    else:  # the business's first sale: create it
        customer = customer_final_consumer(business=business)
    return session_id, customer


def sale_build(
    *,
    pk,
    business,
    point,
    session_id,
    cashier,
    customer,
    key,
    number,
    totals,
    tender,
    **kw,
) -> Sale:
    return build(
        Sale,
        pk=pk,
        business=business,
        posted_at=kw["posted_at"],
        idempotency_key=key,
        request_hash=kw["fingerprint"],
        establishment_id=point.establishment_id,
        emission_point=point,
        cash_session_id=session_id,
        number=number,
        document_number=format_number(
            establishment_code=point.establishment.code,
            point_code=point.code,
            number=number,
        ),
        cashier=cashier,
        customer=customer,
        customer_id_type=customer.id_type,
        customer_identification=customer.identification,
        customer_name=customer.name,
        customer_address=customer.address,
        customer_email=customer.email,
        customer_phone=customer.phone,
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        tax_total=totals.tax,
        service_charge=totals.service_charge,
        total=totals.total,
        tendered=tender.tendered,
        change=tender.change,
        discount_approved_by=kw["approved_by"],
    )


def lines_build(*, business, sale, lines, priced, totals) -> list[SaleLine]:
    return [
        build(
            SaleLine,
            business_id=business.pk,
            sale=sale,
            position=n,
            product_id=p.product.pk,
            note=line.note,
            code=p.product.code,
            name=p.name,
            modifiers=p.modifiers,
            quantity=r.quantity,
            unit_price=r.unit_price,
            discount=r.discount,
            tax_code=r.tax_code,
            tax_rate=r.tax_rate,
            base=r.base,
            tax=r.tax,
        )
        for n, (line, p, r) in enumerate(
            zip(lines, priced, totals.lines, strict=True), 1
        )
    ]


def stock_out(*, business, sale, priced, lines, batch):
    moves = [
        MoveInput(
            product_id=p.product.pk,
            establishment_id=sale.establishment_id,
            quantity=-line.quantity,
            reason=StockMove.Reason.SALE,
            reference=sale.document_number,
        )
        for p, line in zip(priced, lines, strict=True)
        if p.product.track_stock
    ]
    stock_moves_apply(business=business, moves=moves, user=sale.cashier, batch=batch)


def taxes_build(*, business, sale, totals) -> list[SaleTax]:
    return [
        build(
            SaleTax,
            business_id=business.pk,
            sale=sale,
            tax_code=t.tax_code,
            rate=t.rate,
            base=t.base,
            tax=t.tax,
        )
        for t in totals.taxes
    ]


def payments_build(*, business, sale, tender) -> list[Payment]:
    return [
        build(
            Payment,
            business_id=business.pk,
            sale=sale,
            method=p.method,
            amount=p.amount,
            reference=p.reference,
        )
        for p in tender.rows
    ]
