"""Partial returns: take back some lines (or part of them) of a posted sale.

`sale_return` runs, like the void (pos/services/voids.py), in one transaction:

1. who may return: a manager or owner, or a cashier with a manager's PIN
   (pos/services/pins.py, with its lockout);
2. the sale is locked; what was sold minus what earlier returns took back
   bounds each line (more is 400 `invalid_return`); a voided sale is refused;
3. a credit-note number from the credit-note sequence the void uses, only
   when the buyer is identified (SRI takes no credit note to CONSUMIDOR FINAL);
4. insert-only rows: `SaleReturn`, its `SaleReturnLine`s, a `CashMovement`
   paying the refund out of the open drawer (cash), stock moves back in;
5. the nota de crédito for those lines and quantities
   (`pos.documents.return_document_issue`, the void's path to the SRI).

A retry with the same idempotency key returns the same return (`replayed`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.inventory.models import StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.limits import MAX_LINES
from backoffice.tenancy.models import Business
from core import calc
from core.money import ZERO, round_money, round_unit
from pos.documents import return_document_issue

from ..errors import (
    AlreadyVoidedError,
    IdempotencyKeyReusedError,
    ReturnInputError,
    ReturnNotAllowedError,
)
from ..models import (
    CashMovement,
    PaymentMethod,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    Void,
)
from .cash import cash_session_locked
from .pins import Refusals, action_authorizer
from .voids import credit_note_number


@dataclass(frozen=True)
class ReturnLineIn:
    line_id: int  # a SaleLine of the sale
    quantity: Decimal


def sale_return(
    *,
    business: Business,
    sale: Sale,
    actor,
    reason: str,
    lines: list[ReturnLineIn],
    key: UUID,
    pin: str = "",
    returned_at: datetime | None = None,
) -> SaleReturn:
    """Take back lines of a sale: credit note, stock in, refund out of the drawer."""
    if sale.business_id != business.pk:
        raise ReturnInputError(_("Venta no encontrada."), field="sale")
    reason = (reason or "").strip()
    _input_check(reason=reason, lines=lines)
    fingerprint = _fingerprint(sale=sale, reason=reason, lines=lines)
    if existing := _by_key(business=business, key=key, fingerprint=fingerprint):
        return existing
    # Before the return's transaction: a wrong PIN must stay counted.
    authorized_by = _authorizer(business=business, actor=actor, pin=pin)
    try:
        return _sale_return(
            business=business,
            sale=sale,
            actor=actor,
            authorized_by=authorized_by,
            reason=reason,
            lines=lines,
            key=key,
            fingerprint=fingerprint,
            returned_at=returned_at or timezone.now(),
        )
    except IntegrityError:
        # A concurrent retry with the same key committed first.
        existing = _by_key(business=business, key=key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing


def _input_check(*, reason, lines) -> None:
    if not reason:
        raise ReturnInputError(_("Indique el motivo de la devolución."), field="reason")
    if not lines:
        raise ReturnInputError(_("Elija qué líneas se devuelven."), field="lines")
    if len(lines) > MAX_LINES:
        raise ReturnInputError(
            _("Demasiadas líneas (máximo %(n)s).") % {"n": MAX_LINES}, field="lines"
        )
    seen = set()
    for i, line in enumerate(lines):
        if line.line_id in seen:
            raise ReturnInputError(
                _("La línea está repetida."), field=f"lines[{i}].line"
            )
        seen.add(line.line_id)
        quantity = line.quantity
        if quantity <= 0 or quantity != round_unit(quantity):
            raise ReturnInputError(
                _("La cantidad debe ser mayor que cero, con hasta 6 decimales."),
                field=f"lines[{i}].quantity",
            )


def _fingerprint(*, sale, reason, lines) -> str:
    data = [
        sale.pk,
        reason,
        [[x.line_id, format(x.quantity.normalize(), "f")] for x in lines],
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def _by_key(*, business, key, fingerprint) -> SaleReturn | None:
    found = SaleReturn.objects.filter(business=business, idempotency_key=key).first()
    if found is None:
        return None
    if found.request_hash != fingerprint:
        raise IdempotencyKeyReusedError(
            _(
                "La clave de idempotencia ya se usó con otra devolución; genere "
                "una clave nueva para una devolución distinta."
            ),
            field="idempotency_key",
        )
    found.replayed = True
    return found


def _authorizer(*, business, actor, pin):
    return action_authorizer(
        business=business,
        actor=actor,
        pin=pin,
        refused=ReturnNotAllowedError,
        field="pin",
        says=Refusals(
            no_role=_("No tiene permiso para registrar devoluciones."),
            no_pin=_("Se requiere el PIN de un administrador para la devolución."),
            locked=_(
                "Demasiados PIN incorrectos: espere %(minutes)d minutos o pida "
                "a un administrador que registre la devolución."
            ),
        ),
    )


@transaction.atomic
def _sale_return(
    *, business, sale, actor, authorized_by, reason, lines, key, fingerprint, **kw
) -> SaleReturn:
    if existing := _by_key(business=business, key=key, fingerprint=fingerprint):
        return existing
    # Lock the sale: returns of it (and its void) queue up and see each other.
    sale = (
        Sale.objects.select_for_update(of=("self",))
        .select_related("emission_point__establishment")
        .get(business=business, pk=sale.pk)
    )
    if Void.objects.filter(business=business, sale=sale).exists():
        raise AlreadyVoidedError(_("La venta fue anulada: no admite devoluciones."))
    pairs, totals = _lines_take(business=business, sale=sale, lines=lines)
    session = cash_session_locked(business=business, point=sale.emission_point)
    number, document_number = credit_note_number(business=business, sale=sale)
    sale_return = SaleReturn(
        business=business,
        sale=sale,
        idempotency_key=key,
        request_hash=fingerprint,
        emission_point=sale.emission_point,
        number=number,
        document_number=document_number,
        returned_at=kw["returned_at"],
        reason=reason[:300],
        actor=actor,
        authorized_by=authorized_by,
        cash_session=session,
        subtotal=totals.subtotal,
        tax_total=totals.tax,
        total=totals.subtotal + totals.tax,
    )
    SaleReturn.objects.bulk_create([sale_return])
    for _sold, back in pairs:
        back.sale_return = sale_return
    SaleReturnLine.objects.bulk_create([back for _sold, back in pairs])
    if sale_return.total:
        CashMovement.objects.bulk_create(
            [
                CashMovement(
                    business=business,
                    session=session,
                    kind=CashMovement.Kind.RETURN,
                    method=PaymentMethod.CASH,
                    amount=-sale_return.total,
                    reason=_("Devolución %(doc)s") % {"doc": sale.document_number},
                    user=actor,
                    sale_return=sale_return,
                )
            ]
        )
    _stock_back(business=business, sale=sale, sale_return=sale_return, pairs=pairs)
    return_document_issue(business=business, sale_return=sale_return, lines=pairs)
    sale_return.replayed = False
    return sale_return


def _lines_take(*, business, sale, lines):
    """(SaleLine, SaleReturnLine) pairs and their totals; refuse returning more
    than was sold, counting earlier returns."""
    sold = {
        line.pk: line
        for line in SaleLine.objects.filter(
            business=business, sale=sale
        ).select_related("product")
    }
    returned = SaleReturnLine.objects.filter(business=business, sale_line__sale=sale)
    earlier = {
        row["sale_line"]: (_dec(row["q"]), _dec(row["d"]))
        for row in returned.values("sale_line")
        .annotate(q=Sum("quantity"), d=Sum("discount"))
        .order_by()
    }
    pairs, inputs = [], []
    for i, wanted in enumerate(lines):
        line = sold.get(wanted.line_id)
        if line is None:
            raise ReturnInputError(
                _("La línea no es de esta venta."), field=f"lines[{i}].line"
            )
        back_q, back_d = earlier.get(line.pk, (ZERO, ZERO))
        back_q, back_d = round_unit(back_q), round_money(back_d)
        left = line.quantity - back_q
        if wanted.quantity > left:
            raise ReturnInputError(
                _("«%(name)s»: se vendieron %(sold)s y quedan %(left)s por devolver.")
                % {
                    "name": line.name,
                    "sold": line.quantity.normalize(),
                    "left": left.normalize() if left else 0,
                },
                field=f"lines[{i}].quantity",
            )
        gross = round_money(wanted.quantity * line.unit_price)
        if wanted.quantity == left:  # the last of the line: the discount left
            discount = line.discount - back_d
        else:
            discount = round_money(line.discount * wanted.quantity / line.quantity)
        discount = max(ZERO, min(discount, gross))
        inputs.append(
            calc.LineInput(
                quantity=wanted.quantity,
                unit_price=line.unit_price,
                tax_code=line.tax_code,
                discount=discount,
            )
        )
        pairs.append((line, wanted))
    totals = calc.sale_compute(inputs)
    built = [
        (
            line,
            SaleReturnLine(
                business=business,
                sale_line=line,
                quantity=r.quantity,
                discount=r.discount,
                base=r.base,
                tax=r.tax,
            ),
        )
        for (line, _wanted), r in zip(pairs, totals.lines, strict=True)
    ]
    return built, totals


def _dec(value) -> Decimal:
    # SQLite sums decimals as floats: through their text, never float arithmetic.
    return ZERO if value is None else Decimal(str(value))


def _stock_back(*, business, sale, sale_return, pairs) -> None:
    moves = [
        MoveInput(
            product_id=sold.product_id,
            establishment_id=sale.establishment_id,
            quantity=back.quantity,
            reason=StockMove.Reason.RETURN,
            reference=sale_return.document_number or sale.document_number,
            note=sale.document_number,
        )
        for sold, back in pairs
        if sold.product.track_stock
    ]
    if moves:
        stock_moves_apply(
            business=business, moves=moves, user=sale_return.actor, allow_negative=True
        )
