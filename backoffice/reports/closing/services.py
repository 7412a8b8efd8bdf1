"""Writes of the month close: close, reopen, and resend a document from the page."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.reports.models import MonthClose
from core.errors import SouthernPOSError
from fiscal.errors import DocumentStateError
from fiscal.models import PENDING_STATES, REJECTED_STATES, ElectronicDocument
from fiscal.services import edoc_resend, edoc_submit

from .checks import month_checks, month_state


class MonthNotReadyError(SouthernPOSError):
    """El mes tiene pendientes: no se puede cerrar."""

    code = "month_not_ready"
    status = 409


class MonthNotClosedError(SouthernPOSError):
    """El mes no está cerrado."""

    code = "month_not_closed"
    status = 409


@transaction.atomic
def month_close(*, business, year: int, month: int, actor) -> MonthClose:
    """Record who closed the month, when, and the fingerprint of what was checked."""
    report = month_checks(business=business, year=year, month=month)
    if not report.ready:
        raise MonthNotReadyError(
            _("El mes tiene %(count)s pendiente(s): revíselos antes de cerrar.")
            % {"count": len(report.blockers)}
        )
    return MonthClose.objects.create(
        business=business,
        month=date(year, month, 1),
        action=MonthClose.Action.CLOSE,
        actor=actor,
        digest=report.digest,
        documents=report.documents,
    )


@transaction.atomic
def month_reopen(
    *, business, year: int, month: int, actor, note: str = ""
) -> MonthClose:
    """Reopen a closed month (also one a later change already moved)."""
    report = month_checks(business=business, year=year, month=month)
    state = month_state(business=business, year=year, month=month, digest=report.digest)
    if not (state["closed"] or state["changed_since_close"]):
        raise MonthNotClosedError()
    return MonthClose.objects.create(
        business=business,
        month=date(year, month, 1),
        action=MonthClose.Action.REOPEN,
        actor=actor,
        digest=report.digest,
        documents=report.documents,
        note=note[:300],
    )


def month_document_resend(*, business, document_id: int, actor) -> ElectronicDocument:
    """Send a returned / not authorised document again, or push a pending one."""
    edoc = (
        ElectronicDocument.objects.for_business(business)
        .filter(state__in=[*PENDING_STATES, *REJECTED_STATES])
        .filter(pk=document_id)
        .first()
    )
    if edoc is None:
        raise DocumentStateError()
    if edoc.is_rejected:
        return edoc_resend(edoc=edoc, actor=actor)
    edoc.next_attempt_at = None
    edoc.save(update_fields=["next_attempt_at", "updated_at"])
    return edoc_submit(edoc=edoc)
