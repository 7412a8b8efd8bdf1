"""Supervisor PINs: a manager's or owner's approval typed on a cashier's till.

One home for the PIN and its lockout (issue 10), used by voids, returns and
discounts above the cashier's maximum: each wrong PIN is a `PinFailure` row,
committed even when the action is refused; the fifth within the window locks
that cashier's PIN approvals out until the window has passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy import roles
from backoffice.tenancy.models import Business, Membership

from ..errors import PinLockedError, VoidInputError
from ..models import PinFailure

# New PINs; a shorter PIN set before issue 10 keeps working until it is changed
# (only its hash is stored), the lockout below making guessing it slow.
PIN_MIN_LENGTH = 6
PIN_MAX_LENGTH = 12
# A cashier who types this many wrong PINs within the window is refused any
# further try (without hashing anything) until the window has passed.
PIN_FAILURE_LIMIT = 5
PIN_FAILURE_WINDOW = timedelta(minutes=15)


def supervisor_pin_set(*, business: Business, membership: Membership, pin: str):
    """Store a manager's PIN (hashed) so they can authorise a cashier's void."""
    if membership.business_id != business.pk:
        raise VoidInputError(_("Miembro no encontrado."), field="membership")
    if not pin.isdigit() or not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise VoidInputError(
            _("El PIN debe tener entre %(min)d y %(max)d dígitos.")
            % {"min": PIN_MIN_LENGTH, "max": PIN_MAX_LENGTH},
            field="pin",
        )
    Membership.objects.filter(business=business, pk=membership.pk).update(
        pin=make_password(pin)
    )
    membership.pin = Membership.objects.get(business=business, pk=membership.pk).pin


def member_role(*, business: Business, user) -> str | None:
    """The user's role in the business (an active, accepted membership), or None."""
    return (
        Membership.objects.filter(
            business=business, user=user, is_active=True, accepted_at__isnull=False
        )
        .values_list("role", flat=True)
        .first()
    )


@dataclass(frozen=True)
class Refusals:
    """What a refused action says: the user has no role here, gave no PIN, or is
    locked out (`locked` with %(minutes)d). Built by the caller at call time,
    in the request's language."""

    no_role: str
    no_pin: str
    locked: str


def action_authorizer(*, business: Business, actor, pin: str, refused, field, says):
    """Who authorises an action at the till (a void, a return): the actor if a
    manager or owner, else the manager whose PIN the cashier typed (tries
    counted, lockout). Raises `refused` with the caller's `says` messages."""
    role = member_role(business=business, user=actor)
    if role in roles.MANAGERS:
        return actor
    if role is None:
        raise refused(says.no_role)
    if not pin:
        raise refused(says.no_pin, field=field)
    return supervisor_authorize(
        business=business,
        actor=actor,
        pin=pin,
        refused=refused,
        field=field,
        locked=says.locked,
    )


def supervisor_authorize(
    *, business: Business, actor, pin: str, refused, field: str, locked: str
):
    """The manager or owner whose PIN this is; else raise `refused` (or locked).

    `locked` is the caller's message for a locked-out cashier (with
    %(minutes)d). Runs its own transaction, committed before raising: the failed
    try stays counted even though the action is refused (call it outside the
    action's).
    """
    with transaction.atomic():
        supervisor, wait = _pin_try(business=business, actor=actor, pin=pin)
    if supervisor is not None:
        return supervisor
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise PinLockedError(locked % {"minutes": minutes}, field=field)
    raise refused(_("PIN incorrecto."), field=field)


def _pin_try(*, business, actor, pin):
    """(supervisor, None) for a right PIN, else (None, lockout left or None)."""
    # Lock the cashier's membership row: one cashier's tries queue up, so
    # concurrent guesses cannot all slip under the limit.
    list(
        Membership.objects.select_for_update()
        .filter(business=business, user=actor)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    recent = list(
        PinFailure.objects.filter(
            business=business, user=actor, created_at__gt=now - PIN_FAILURE_WINDOW
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:PIN_FAILURE_LIMIT]
    )
    if len(recent) >= PIN_FAILURE_LIMIT:
        return None, recent[-1] + PIN_FAILURE_WINDOW - now  # refused, no hashing
    supervisors = (
        Membership.objects.filter(
            business=business,
            is_active=True,
            accepted_at__isnull=False,
            role__in=roles.CAN_VOID,
        )
        .exclude(pin="")
        .select_related("user")
    )
    # Only digits were ever accepted as a PIN (no maximum before issue 10):
    # anything else is a wrong PIN without spending a hash on it.
    if pin.isdigit() and len(pin) <= 64:
        for membership in supervisors:
            if check_password(pin, membership.pin):
                return membership.user, None
    locks = len(recent) + 1 >= PIN_FAILURE_LIMIT
    PinFailure.objects.create(business=business, user=actor, locked=locks)
    return None, PIN_FAILURE_WINDOW if locks else None
