"""Checkout: post a cart as an immutable, numbered sale in one transaction."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.customers.models import FINAL_CONSUMER_ID, Customer
from backoffice.customers.services import customer_final_consumer
from backoffice.inventory.models import StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.limits import is_id
from backoffice.tenancy import roles
from backoffice.tenancy.models import Business, EmissionPoint
from core import calc
from core.bulk import Batch
from core.sql import instance
from fiscal.models import DocType, ElectronicDocument
from fiscal.numbering import format_number, next_number, number_take
from fiscal.services import consumidor_final_check
from pos.documents import sale_invoice_issue

from .. import signals
from ..errors import (
    CashSessionClosedError,
    DiscountNotAllowedError,
    UnknownCustomerError,
    UnknownEmissionPointError,
)
from ..models import Payment, Sale, SaleLine, SaleTax
from ..selectors import emission_point_from_row, emission_point_lookup
from .discounts import Applied, OrderDiscount, approval_refused
from .idempotency import key_lookup, request_fingerprint, sale_by_key, sale_replayed
from .pins import member_role, supervisor_authorize
from .posted import PostedSale
from .pricing import (
    NO_DISCOUNT,
    LineIn,
    PaymentIn,
    cart_check,
    lines_price,
    products_from_rows,
    products_lookup,
    totals_compute,
)
from .statements import BUYER_FIELDS, SESSION_AND_BUYER
from .tender import payments_apply


def _session_lookup(*, business, point_id) -> tuple[str, list]:
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


def _session_and_customer(*, business, row, customer) -> tuple[int, Customer]:
    """The open session's id and the buyer, from `_session_lookup`'s row.

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


def sale_quote(
    *, business: Business, lines: list[LineIn], order: OrderDiscount = NO_DISCOUNT
) -> calc.SaleTotals:
    """Price a cart exactly as `sale_post` would, writing nothing."""
    return cart_price(business=business, lines=lines, order=order)[0]


def cart_price(
    *,
    business: Business,
    lines: list[LineIn],
    order: OrderDiscount = NO_DISCOUNT,
    service: bool = True,
) -> tuple[calc.SaleTotals, Applied]:
    """The quote's totals and the percent each discount takes (for the limit)."""
    cart_check(lines)
    priced = lines_price(business=business, lines=lines)
    return totals_compute(
        business=business, lines=lines, priced=priced, order=order, service=service
    )


class _ApprovalNeeded(Exception):  # noqa: N818 - control flow inside this module
    """A cashier's discount above the maximum: sale_post asks for the PIN."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def sale_post(
    *,
    business: Business,
    point: EmissionPoint | int,
    cashier,
    lines: list[LineIn],
    payments: list[PaymentIn],
    customer: Customer | None = None,
    key: UUID,
    posted_at: datetime | None = None,
    order: OrderDiscount = NO_DISCOUNT,
    approval_pin: str = "",
    service: bool = True,
) -> PostedSale:
    """Post a cart as an immutable sale, or return the sale already posted with `key`.

    The answer has `replayed = True` when the sale was posted by an earlier
    request with the same idempotency key. `point` is the emission point with
    its establishment, or its id (read with the cart's other reads: the API
    passes the id the page sends). `posted_at` (default: now) is for
    sales captured earlier, e.g. offline tills syncing and imported history.
    `service=False` posts without the business's service charge (a restaurant
    bill the guests asked to pay without it).
    A discount above the business's `cashier_max_discount` by a member who is
    not a manager or owner needs `approval_pin` (a manager's or owner's PIN,
    with the void's lockout); the approver is kept on the sale.
    """
    cart_check(lines, payments)
    fingerprint = request_fingerprint(
        point=point,
        lines=lines,
        payments=payments,
        customer=customer,
        order=order,
        service=service,
    )
    post = partial(
        _sale_post,
        business=business,
        point=point,
        cashier=cashier,
        lines=lines,
        payments=payments,
        customer=customer,
        key=key,
        fingerprint=fingerprint,
        posted_at=posted_at or timezone.now(),
        order=order,
        service=service,
    )
    try:
        try:
            return post(approved_by=None)
        except _ApprovalNeeded as needed:
            # Outside the sale's transaction: a wrong PIN stays counted.
            approver = _discount_approver(
                business=business, cashier=cashier, pin=approval_pin, field=needed.field
            )
            return post(approved_by=approver)
    except IntegrityError:
        # A concurrent request with the same key committed first: ours rolled back.
        existing = sale_by_key(business=business, key=key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing


def _point_unknown() -> UnknownEmissionPointError:
    return UnknownEmissionPointError(
        _("Punto de emisión no encontrado."), field="emission_point"
    )


def _discount_approver(*, business, cashier, pin, field):
    if not pin:
        raise approval_refused(field)
    return supervisor_authorize(
        business=business,
        actor=cashier,
        pin=pin,
        refused=DiscountNotAllowedError,
        field=field,
        locked=_(
            "Demasiados PIN incorrectos: espere %(minutes)d minutos o pida "
            "a un administrador que cobre la venta."
        ),
    )


@transaction.atomic
def _sale_post(
    *,
    business,
    point,
    cashier,
    lines,
    payments,
    customer,
    key,
    fingerprint,
    posted_at,
    order,
    service,
    approved_by,
) -> PostedSale:
    point_read = None
    if isinstance(point, EmissionPoint):
        point_id = point.pk
        if point.business_id != business.pk:
            raise _point_unknown()
    elif is_id(point):
        point_id = point
    else:
        raise _point_unknown()
    # Every read the sale needs goes out at once (one round trip on
    # PostgreSQL): the point (given its id), the key's sale, the cash session
    # with CONSUMIDOR FINAL, the products, the number, and the ids of the sale
    # and its factura, so the writes below need no answer before the end of
    # their batch either.
    with Batch() as reads:
        if not isinstance(point, EmissionPoint):
            point_read = reads.fetch(
                *emission_point_lookup(business=business, pk=point_id)
            )
        found = reads.fetch(*key_lookup(business=business, key=key))
        session = reads.fetch(*_session_lookup(business=business, point_id=point_id))
        products = reads.fetch(*products_lookup(business=business, lines=lines))
        taken = reads.fetch(
            *number_take(
                business=business, emission_point=point_id, doc_type=DocType.INVOICE
            )
        )
        ids = reads.next_ids(Sale, ElectronicDocument)
    if point_read is not None:
        point = emission_point_from_row(point_read.first())
        if point is None:  # not the business's, or inactive
            raise _point_unknown()
    replay = sale_replayed(
        business=business, row=found.first(), fingerprint=fingerprint
    )
    if replay is not None:
        transaction.set_rollback(True)  # the number taken above goes back
        return replay
    session_id, customer = _session_and_customer(
        business=business, row=session.first(), customer=customer
    )
    priced = lines_price(
        business=business, lines=lines, products=products_from_rows(products.rows)
    )
    totals, applied = totals_compute(
        business=business, lines=lines, priced=priced, order=order, service=service
    )
    if approved_by is None and (field := applied.above(business.cashier_max_discount)):
        if member_role(business=business, user=cashier) not in roles.MANAGERS:
            raise _ApprovalNeeded(field)
        approved_by = cashier
    tender = payments_apply(total=totals.total, payments=payments)
    consumidor_final_check(
        business=business, total=totals.total, id_type=customer.id_type
    )
    number = taken.first()
    if number is None:  # the point's first factura: its sequence is created
        number = next_number(
            business=business, emission_point=point, doc_type=DocType.INVOICE
        )
    else:
        number = number[0]
    sale = _sale_build(
        pk=ids.first()[0],
        business=business,
        point=point,
        session_id=session_id,
        cashier=cashier,
        customer=customer,
        key=key,
        fingerprint=fingerprint,
        number=number,
        totals=totals,
        tender=tender,
        posted_at=posted_at,
        approved_by=approved_by,
    )
    signals.past_day_change(sender=Sale, business=business, at=sale.posted_at)
    lines = _lines_build(
        business=business, sale=sale, lines=lines, priced=priced, totals=totals
    )
    taxes = [
        SaleTax(
            business_id=business.pk,
            sale=sale,
            tax_code=t.tax_code,
            rate=t.rate,
            base=t.base,
            tax=t.tax,
        )
        for t in totals.taxes
    ]
    payments = [
        Payment(
            business_id=business.pk,
            sale=sale,
            method=p.method,
            amount=p.amount,
            reference=p.reference,
        )
        for p in tender.rows
    ]
    # The sale, its lines, taxes, payments and stock go out together (a
    # pipeline on PostgreSQL); while the database runs them, the factura XML is
    # built from the rows just sent, and goes out with its submission task.
    # Ids are set and stock checked when the batch ends.
    with Batch() as batch:
        batch.insert(Sale, [sale])
        batch.insert(SaleLine, lines)
        batch.insert(SaleTax, taxes)
        batch.insert(Payment, payments)
        _stock_out(
            business=business, sale=sale, priced=priced, lines=lines, batch=batch
        )
        # The factura is part of the sale: same transaction, sent after commit.
        sale_invoice_issue(
            business=business,
            sale=sale,
            lines=lines,
            payments=payments,
            batch=batch,
            pk=ids.first()[1],
        )
    transaction.on_commit(
        lambda: signals.sale_posted.send_robust(sender=Sale, sale=sale)
    )
    return PostedSale(
        sale=sale, lines=tuple(lines), taxes=tuple(taxes), payments=tuple(payments)
    )


def _sale_build(
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
    return Sale(
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


def _lines_build(*, business, sale, lines, priced, totals) -> list[SaleLine]:
    return [
        SaleLine(
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


def _stock_out(*, business, sale, priced, lines, batch):
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
