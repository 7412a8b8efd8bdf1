"""Checkout: post a cart as an immutable, numbered sale in one transaction."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.customers.models import Customer
from backoffice.limits import is_id
from backoffice.tenancy import roles
from backoffice.tenancy.models import Business, EmissionPoint
from core import calc
from core.batch import Batch
from fiscal.models import DocType, ElectronicDocument
from fiscal.numbering import next_number, number_take
from fiscal.services import consumidor_final_check
from pos.documents import sale_invoice_issue

from .. import signals
from ..errors import (
    DiscountNotAllowedError,
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
from .sale_rows import (
    lines_build,
    payments_build,
    sale_build,
    session_and_customer,
    session_lookup,
    stock_out,
    taxes_build,
)
from .tender import payments_apply


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
        session = reads.fetch(*session_lookup(business=business, point_id=point_id))
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
    session_id, customer = session_and_customer(
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
    sale = sale_build(
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
    lines = lines_build(
        business=business, sale=sale, lines=lines, priced=priced, totals=totals
    )
    taxes = taxes_build(business=business, sale=sale, totals=totals)
    payments = payments_build(business=business, sale=sale, tender=tender)
    # The sale, its lines, taxes, payments and stock go out together (a
    # pipeline on PostgreSQL); while the database runs them, the factura XML is
    # built from the rows just sent, and goes out with its submission task.
    # Ids are set and stock checked when the batch ends.
    with Batch() as batch:
        batch.insert(Sale, [sale])
        batch.insert(SaleLine, lines)
        batch.insert(SaleTax, taxes)
        batch.insert(Payment, payments)
        stock_out(business=business, sale=sale, priced=priced, lines=lines, batch=batch)
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
