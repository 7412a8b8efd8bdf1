"""Cash sessions: open with a float, cash in/out, close with a count."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.limits import MAX_MONEY, MAX_TEXT
from backoffice.tenancy.models import Business, EmissionPoint
from core.money import ZERO, round_money, to_decimal

from ..errors import CashInputError, CashSessionClosedError, CashSessionError
from ..models import CashMovement, CashSession, PaymentMethod
from ..selectors import cash_session_summary


def _amount(value, *, field_name: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise CashInputError(_("Monto no válido."), field=field_name)
    if not amount.is_finite() or amount > MAX_MONEY:
        raise CashInputError(
            _("Monto no válido (máximo %(max)s).") % {"max": MAX_MONEY},
            field=field_name,
        )
    if amount < 0 or (amount == 0 and not allow_zero) or amount != round_money(amount):
        raise CashInputError(
            _("El monto debe ser positivo, con 2 decimales."), field=field_name
        )
    return amount


def _text(value, *, field_name: str) -> str:
    text = (value or "").strip()
    if "\x00" in text:  # PostgreSQL stores no NUL character
        raise CashInputError(_("Texto no válido."), field=field_name)
    return text


def cash_session_locked(*, business: Business, point: EmissionPoint) -> CashSession:
    """The point's open session, locked: a closing count waits for what is in flight."""
    session = (
        CashSession.objects.select_for_update()
        .filter(business=business, emission_point=point, closed_at__isnull=True)
        .order_by()
        .first()
    )
    if session is None:
        raise CashSessionClosedError(
            _("No hay una caja abierta en este punto de emisión."),
            field="emission_point",
        )
    return session


def cash_session_open(
    *, business: Business, point: EmissionPoint, user, opening_float
) -> CashSession:
    """Open the drawer of an emission point; one open session per point."""
    if point.business_id != business.pk:
        raise CashSessionError(
            _("Punto de emisión no encontrado."), field="emission_point"
        )
    amount = _amount(opening_float, field_name="opening_float")
    try:
        with transaction.atomic():
            return CashSession.objects.create(
                business=business,
                emission_point=point,
                opened_by=user,
                opening_float=amount,
            )
    except IntegrityError:
        raise CashSessionError(
            _("Ya hay una caja abierta en este punto de emisión."),
            field="emission_point",
        )


def cash_movement_add(
    *, business: Business, session: CashSession, user, kind: str, amount, reason: str
) -> CashMovement:
    """Record cash put into (kind "in") or taken out of ("out") an open drawer."""
    if kind not in (CashMovement.Kind.CASH_IN, CashMovement.Kind.CASH_OUT):
        raise CashInputError(_("Tipo de movimiento no válido."), field="kind")
    value = _amount(amount, field_name="amount", allow_zero=False)
    reason = _text(reason, field_name="reason")
    if not reason:
        raise CashInputError(_("Indique el motivo."), field="reason")
    with transaction.atomic():
        session = (
            CashSession.objects.select_for_update()
            .filter(business=business, pk=session.pk, closed_at__isnull=True)
            .first()
        )
        if session is None:
            raise CashSessionError(_("La caja no está abierta."), field="session")
        return _movement_create(business, session, user, kind, value, reason)


def _movement_create(business, session, user, kind, value, reason) -> CashMovement:
    return CashMovement.objects.create(
        business=business,
        session=session,
        kind=kind,
        method=PaymentMethod.CASH,
        amount=value if kind == CashMovement.Kind.CASH_IN else -value,
        reason=reason[:MAX_TEXT],
        user=user,
    )


@transaction.atomic
def cash_session_close(
    *, business: Business, session: CashSession, user, counted: dict, note: str = ""
) -> CashSession:
    """Close the drawer with the amount counted per payment method."""
    session = CashSession.objects.select_for_update().get(
        business=business, pk=session.pk
    )
    if not session.is_open:
        raise CashSessionError(_("La caja ya está cerrada."), field="session")
    clean = {}
    for method, value in (counted or {}).items():
        if method not in PaymentMethod.values:
            raise CashInputError(_("Forma de pago no válida."), field="counted")
        clean[method] = _amount(value, field_name=f"counted.{method}")
    summary = cash_session_summary(business=business, session=session)
    expected = summary.expected
    methods = set(expected) | set(clean)
    session.expected = {m: str(expected.get(m, ZERO)) for m in sorted(methods)}
    session.counted = {m: str(clean.get(m, ZERO)) for m in sorted(methods)}
    difference = sum(clean.values(), ZERO) - sum(expected.values(), ZERO)
    if abs(difference) > MAX_MONEY:
        raise CashInputError(
            _("Los montos contados son demasiado grandes."), field="counted"
        )
    session.difference = difference
    session.closed_at = timezone.now()
    session.closed_by = user
    session.note = _text(note, field_name="note")[:MAX_TEXT]
    session.save()
    return session
