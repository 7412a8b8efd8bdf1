"""Sending to the SRI: never twice, a lease per document, back-off on failure."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business

from ..errors import (
    CertificateMissingError,
)
from ..models import (
    DocState,
    ElectronicDocument,
    SriMessage,
)
from ..models import (
    ElectronicDocumentEvent as Event,
)
from ..sri.soap import SriClient, SriUnavailableError
from ..sri.xml import authorised_xml_build
from .delivery import edoc_email
from .documents import _enqueue, _event, _state_set, edoc_sign

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)
NO_CERTIFICATE_RETRY = timedelta(hours=1)
RESEND_UNKNOWN_AFTER = 6  # attempts with SRI still not knowing a received clave


# --- submission -----------------------------------------------------------------


def sri_client_for(business: Business) -> SriClient:
    """Client for the business's ambiente; SRI_BASE_URL overrides (tests, proxies)."""
    return SriClient(
        ambiente=business.ambiente,
        base_url=settings.SRI_BASE_URL or None,
        timeout=settings.SRI_TIMEOUT,
    )


def edoc_submit(
    *, edoc: ElectronicDocument, client: SriClient | None = None
) -> ElectronicDocument:
    """Move a pending document as far as the SRI lets it go right now."""
    if not edoc.is_pending or not _lease_take(edoc):
        return edoc
    if not settings.SRI_SEND_ENABLED:
        # Demo and offline development: sign, but never reach the SRI.
        return _sign_only(edoc)
    try:
        _advance(edoc, client or sri_client_for(edoc.business))
    except SriUnavailableError as exc:
        _retry_later(edoc, _("SRI no disponible: %(error)s") % {"error": exc})
    except CertificateMissingError as exc:
        _retry_later(edoc, exc.message, delay=NO_CERTIFICATE_RETRY)
    finally:
        _lease_release(edoc)
    if edoc.state == DocState.AUTHORISED:
        edoc_email(edoc=edoc)
    return edoc


def _sign_only(edoc: ElectronicDocument) -> ElectronicDocument:
    try:
        if edoc.state == DocState.GENERATED:
            edoc_sign(edoc=edoc)
    except CertificateMissingError as exc:
        edoc.last_error = exc.message
        edoc.save(update_fields=["last_error", "updated_at"])
    finally:
        _lease_release(edoc)
    return edoc


def _advance(edoc: ElectronicDocument, client: SriClient) -> None:
    if edoc.state == DocState.GENERATED:
        edoc_sign(edoc=edoc)
    if edoc.state == DocState.SENT:
        # A previous send had no answer: SRI may hold it already. Ask first.
        _authorization_check(edoc, client, resend_if_unknown=True)
    elif edoc.state == DocState.SIGNED:
        _send(edoc, client)
    if edoc.state == DocState.RECEIVED:
        # SRI occasionally accepts a document and then never processes it; after
        # a while resending is safe (a registered clave is answered with 43).
        stale = edoc.attempts >= RESEND_UNKNOWN_AFTER
        _authorization_check(edoc, client, resend_if_unknown=stale)


def _send(edoc: ElectronicDocument, client: SriClient) -> None:
    before = edoc.state
    edoc.state = DocState.SENT
    edoc.attempts += 1
    edoc.sent_at = timezone.now()
    edoc.save(update_fields=["state", "attempts", "sent_at", "updated_at"])
    _event(edoc, Event.Action.SEND, from_state=before)
    result = client.comprobante_send(edoc.signed_xml.encode("utf-8"))
    _messages_store(edoc, result.mensajes, SriMessage.Origin.RECEPCION)
    answer = _messages_text(result.mensajes)
    if result.received or result.already_known:
        _state_set(
            edoc,
            DocState.RECEIVED,
            action=Event.Action.RECEPTION,
            summary=answer or "RECIBIDA",
        )
    else:
        _state_set(edoc, DocState.RETURNED, error=answer, action=Event.Action.RECEPTION)


def _authorization_check(edoc, client, *, resend_if_unknown: bool = False) -> None:
    result = client.authorization_query(edoc.access_key)
    current = result.current
    if current is None and resend_if_unknown:
        _send(edoc, client)
        if edoc.state == DocState.RECEIVED:
            _authorization_check(edoc, client)
        return
    if result.pending:
        if edoc.state == DocState.SENT:
            _state_set(
                edoc,
                DocState.RECEIVED,
                action=Event.Action.AUTHORIZATION,
                summary="EN PROCESO",
            )
        _retry_later(edoc, _("El SRI aún procesa el comprobante."))
        return
    _messages_store(edoc, current.mensajes, SriMessage.Origin.AUTORIZACION)
    if current.authorised:
        _authorised_store(edoc, current)
    else:
        _state_set(
            edoc,
            DocState.NOT_AUTHORISED,
            error=_messages_text(current.mensajes),
            action=Event.Action.AUTHORIZATION,
        )


def _authorised_store(edoc: ElectronicDocument, authorization) -> None:
    edoc.authorization_number = authorization.numero or edoc.access_key
    edoc.authorized_at = authorization.fecha or timezone.now()
    edoc.authorised_xml = authorised_xml_build(
        estado=authorization.estado,
        numero=edoc.authorization_number,
        fecha=edoc.authorized_at.isoformat(),
        ambiente=authorization.ambiente,
        comprobante=authorization.comprobante or edoc.signed_xml,
    ).decode("utf-8")
    edoc.save(
        update_fields=[
            "authorization_number",
            "authorized_at",
            "authorised_xml",
            "updated_at",
        ]
    )
    _state_set(
        edoc,
        DocState.AUTHORISED,
        action=Event.Action.AUTHORIZATION,
        summary=f"AUTORIZADO {edoc.authorization_number}",
    )


def backoff_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at one hour."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _retry_later(edoc: ElectronicDocument, error: str, *, delay=None) -> None:
    delay = delay or backoff_delay(max(edoc.attempts, 1))
    if edoc.state == DocState.RECEIVED:
        # Queries count as attempts too, so the back-off also grows for them.
        edoc.attempts += 1
    edoc.next_attempt_at = timezone.now() + delay
    edoc.last_error = error
    edoc.save(update_fields=["attempts", "next_attempt_at", "last_error", "updated_at"])
    transaction.on_commit(lambda: _enqueue(edoc, run_after=edoc.next_attempt_at))


def _lease_take(edoc: ElectronicDocument) -> bool:
    now = timezone.now()
    taken = (
        ElectronicDocument.unscoped_objects.filter(pk=edoc.pk, state=edoc.state)
        .exclude(lease_until__gt=now)
        .update(lease_until=now + LEASE)
    )
    return taken == 1


def _lease_release(edoc: ElectronicDocument) -> None:
    ElectronicDocument.unscoped_objects.filter(pk=edoc.pk).update(lease_until=None)


def _messages_store(edoc, messages, origin) -> None:
    SriMessage.objects.bulk_create(
        SriMessage(
            business_id=edoc.business_id,
            document=edoc,
            origin=origin,
            identificador=m.identificador[:10],
            mensaje=m.mensaje[:300],
            informacion_adicional=m.informacion_adicional,
            tipo=m.tipo[:20],
        )
        for m in messages
    )


def _messages_text(messages) -> str:
    return "; ".join(str(m) for m in messages) or _("Rechazado sin mensaje del SRI.")
