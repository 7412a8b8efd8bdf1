"""Void a posted sale: the one entry point is `sale_void`.

The rule of a void, in the order `sale_void` runs it (one transaction):

1. who may void: `void_authorizer` (a manager, or a cashier with a manager's PIN);
2. the sale is locked and voided once (`Void` row, unique per sale);
3. credit-note number: `credit_note_number` (returns share it) → `next_number`,
   only when the void issues a nota de crédito (`Void.needs_portal_annulment`
   says when it does not: consumidor final or a changed buyer);
4. money back out of the drawer (`CashMovement` rows) and stock back in
   (`_stock_back` → `inventory.services.stock_moves_apply`);
5. the SRI side: `pos.documents.void_document_issue` builds the credit note
   from the void and calls `fiscal.services.edoc_create_for_void`, or marks
   the invoice for annulment in the SRI portal
   (`fiscal.services.edoc_annulment_request`; the ATS lists it as anulado);
6. after commit: the `signals.sale_voided` signal and the SRI submission task.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.customers.models import IdType
from backoffice.inventory.models import StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.tenancy.models import Business
from fiscal.models import DocType
from fiscal.numbering import format_number, next_number
from pos.documents import void_document_issue

from .. import signals
from ..errors import (
    AlreadyVoidedError,
    SaleReturnedError,
    VoidInputError,
    VoidNotAllowedError,
)
from ..models import CashMovement, Sale, SaleLine, SaleReturn, Void
from .cash import cash_session_locked
from .pins import Refusals, action_authorizer


def void_authorizer(*, business: Business, actor, supervisor_pin: str = ""):
    """The user who authorises the void: the actor if manager/owner, else a PIN's."""
    return action_authorizer(
        business=business,
        actor=actor,
        pin=supervisor_pin,
        refused=VoidNotAllowedError,
        field="supervisor_pin",
        says=Refusals(
            no_role=_("No tiene permiso para anular ventas."),
            no_pin=_("Se requiere el PIN de un administrador para anular."),
            locked=_(
                "Demasiados PIN incorrectos: espere %(minutes)d minutos o pida "
                "a un administrador que anule la venta."
            ),
        ),
    )


def sale_void(
    *,
    business: Business,
    sale: Sale,
    actor,
    reason: str,
    supervisor_pin: str = "",
    voided_at: datetime | None = None,
) -> Void:
    """Void a sale once: credit note, stock back in, money back out of the drawer."""
    reason = (reason or "").strip()
    if not reason:
        raise VoidInputError(_("Indique el motivo de la anulación."), field="reason")
    if sale.business_id != business.pk:
        raise VoidInputError(_("Venta no encontrada."), field="sale")
    # Before the void's transaction: a wrong PIN must stay counted.
    authorized_by = void_authorizer(
        business=business, actor=actor, supervisor_pin=supervisor_pin
    )
    try:
        return _sale_void(
            business=business,
            sale=sale,
            actor=actor,
            reason=reason,
            authorized_by=authorized_by,
            voided_at=voided_at or timezone.now(),
        )
    except IntegrityError:
        if Void.objects.filter(business=business, sale_id=sale.pk).exists():
            raise AlreadyVoidedError(_("La venta ya fue anulada."))
        raise


@transaction.atomic
def _sale_void(*, business, sale, actor, reason, authorized_by, voided_at) -> Void:
    # Lock the sale so two voids of it queue up; the second sees the first.
    sale = (
        Sale.objects.select_for_update(of=("self",))
        .select_related("emission_point__establishment")
        .get(business=business, pk=sale.pk)
    )
    if Void.objects.filter(business=business, sale=sale).exists():
        raise AlreadyVoidedError(_("La venta ya fue anulada."))
    if SaleReturn.objects.filter(business=business, sale=sale).exists():
        # The void would take back again what a return already took back.
        raise SaleReturnedError(
            _(
                "La venta tiene devoluciones: no se anula; registre la devolución "
                "de lo que queda."
            )
        )
    session = cash_session_locked(business=business, point=sale.emission_point)
    point = sale.emission_point
    number, document_number = credit_note_number(business=business, sale=sale)
    void = Void(
        business=business,
        sale=sale,
        emission_point=point,
        number=number,
        document_number=document_number,
        reason=reason[:300],
        voided_at=voided_at,
        actor=actor,
        authorized_by=authorized_by,
        cash_session=session,
        total=sale.total,
    )
    Void.objects.bulk_create([void])
    signals.past_day_change(sender=Void, business=business, at=sale.posted_at)
    CashMovement.objects.bulk_create(
        [
            CashMovement(
                business=business,
                session=session,
                kind=CashMovement.Kind.VOID,
                method=payment.method,
                amount=-payment.amount,
                reason=_("Anulación %(doc)s") % {"doc": sale.document_number},
                user=actor,
                void=void,
            )
            for payment in sale.payments.all()
        ]
    )
    _stock_back(business=business, sale=sale, void=void, actor=actor)
    void_document_issue(business=business, void=void)
    transaction.on_commit(
        lambda: signals.sale_voided.send_robust(sender=Void, void=void)
    )
    return void


def credit_note_number(*, business, sale) -> tuple[int | None, str]:
    """Take a credit-note number for a sale's void or return, only when a nota de
    crédito will be issued (none for consumidor final: SRI takes none)."""
    if sale.customer_id_type == IdType.CONSUMIDOR_FINAL:
        return None, ""
    point = sale.emission_point
    number = next_number(
        business=business, emission_point=point, doc_type=DocType.CREDIT_NOTE
    )
    return number, format_number(
        establishment_code=point.establishment.code,
        point_code=point.code,
        number=number,
    )


def _stock_back(*, business, sale, void, actor) -> None:
    lines = SaleLine.objects.filter(
        business=business, sale=sale, product__track_stock=True
    ).values_list("product_id", "quantity")
    moves = [
        MoveInput(
            product_id=product_id,
            establishment_id=sale.establishment_id,
            quantity=quantity,
            reason=StockMove.Reason.VOID,
            reference=void.document_number or sale.document_number,
            note=sale.document_number,
        )
        for product_id, quantity in lines
    ]
    stock_moves_apply(business=business, moves=moves, user=actor, allow_negative=True)
