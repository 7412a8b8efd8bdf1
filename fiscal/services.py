"""Writes of the fiscal app: certificates and the life of electronic documents.

Submission never sends a document twice: the state is saved as SENT before
the HTTP call, and a document in SENT (outcome unknown) is first looked up in
Autorización; SRI's "clave registrada / en procesamiento" answers also lead
to an authorisation query, not a resend. A short lease stops two workers
from handling the same document at once.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from cryptography import x509
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from backoffice.tenancy.services import RucVerifiedError, business_ruc_verify
from core.bulk import insert_returning
from core.sri_codes import IdType

from . import selectors, vault
from .errors import (
    CertificateInvalidError,
    CertificateKeyMissingError,
    CertificateMissingError,
    ConsumidorFinalLimitError,
    DocumentStateError,
)
from .models import (
    REJECTED_STATES,
    DocState,
    ElectronicDocument,
    SigningCertificate,
    SriMessage,
)
from .models import (
    ElectronicDocumentEvent as Event,
)
from .sri.documents import (
    COD_DOC_FACTURA,
    CreditNote,
    Invoice,
)
from .sri.holder import authorities_load, certificate_names_ruc, issued_by_accredited
from .sri.payload import document_from_payload, payload_from_document
from .sri.pkcs12 import CertificateError, p12_load
from .sri.ride import ride_render
from .sri.signing import document_sign, issuer_name
from .sri.soap import SriClient, SriUnavailableError
from .sri.xml import authorised_xml_build, document_xml_build

logger = logging.getLogger(__name__)
_submission_deferred: ContextVar[bool] = ContextVar(
    "fiscal_submission_deferred", default=False
)

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)
NO_CERTIFICATE_RETRY = timedelta(hours=1)
RESEND_UNKNOWN_AFTER = 6  # attempts with SRI still not knowing a received clave


# --- certificates --------------------------------------------------------------


@transaction.atomic
def certificate_upload(
    *, business: Business, p12: bytes, password: str
) -> SigningCertificate:
    """Check and store a .p12 encrypted; it replaces the active certificate.

    Only a certificate valid today and issued for the business's RUC (or its
    owner's cédula) is accepted: anything else would replace a working
    certificate with one the SRI refuses.
    """
    try:
        identity = p12_load(p12, password)
    except CertificateError as exc:
        raise CertificateInvalidError(
            _("El archivo .p12 o su contraseña no son válidos.")
        ) from exc
    cert = identity.certificate
    certificate_usable_check(business=business, cert=cert)
    try:
        p12_encrypted = vault.encrypt(p12)
        password_encrypted = vault.encrypt(password.encode("utf-8"))
    except (vault.KeyMissing, vault.KeyInvalid) as exc:
        logger.error("Certificate upload refused: %s", exc)
        raise CertificateKeyMissingError(
            _(
                "El servidor no tiene configurada la clave de cifrado de "
                "certificados (FISCAL_CERT_KEY). Avise al administrador del "
                "sistema; su certificado no se guardó."
            )
        ) from exc
    SigningCertificate.objects.filter(business=business, is_active=True).update(
        is_active=False
    )
    _ruc_verify_by(business=business, cert=cert)
    return SigningCertificate.objects.create(
        business=business,
        p12_encrypted=p12_encrypted,
        password_encrypted=password_encrypted,
        subject=_common_name(cert.subject) or cert.subject.rfc4514_string(),
        issuer=issuer_name(cert)[:300],
        serial_number=str(cert.serial_number)[:64],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def certificate_usable_check(*, business: Business, cert: x509.Certificate) -> None:
    """Refuse an expired, not yet valid or another RUC's certificate."""
    now = timezone.now()
    if cert.not_valid_after_utc <= now:
        raise CertificateInvalidError(
            _(
                "El certificado caducó el %(date)s. Suba un certificado vigente; "
                "el certificado activo no cambió."
            )
            % {"date": cert.not_valid_after_utc.date().isoformat()}
        )
    if cert.not_valid_before_utc > now:
        raise CertificateInvalidError(
            _("El certificado todavía no es válido (desde el %(date)s).")
            % {"date": cert.not_valid_before_utc.date().isoformat()}
        )
    if not certificate_names_ruc(cert, business.ruc):
        raise CertificateInvalidError(
            _(
                "El certificado no fue emitido para el RUC %(ruc)s de este "
                "negocio (ni para la cédula de su titular); el certificado "
                "activo no cambió."
            )
            % {"ruc": business.ruc}
        )


def _ruc_verify_by(*, business: Business, cert: x509.Certificate) -> None:
    """An accredited certificate naming the business's RUC proves the claim."""
    if business.ruc_verified or not certificate_names_ruc(cert, business.ruc):
        return
    if not issued_by_accredited(cert, authorities_load(settings.RUC_VERIFY_CA_FILE)):
        return
    try:
        business_ruc_verify(business=business)
    except RucVerifiedError:
        logger.warning("RUC %s is already verified by another business", business.ruc)


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value)[:300] if values else ""


@transaction.atomic
def certificate_keys_rotate() -> int:
    """Re-encrypt every business's certificates with the first FISCAL_CERT_KEY.

    System code (every business): call inside `system_context()`. All or
    nothing: one certificate no key can decrypt leaves every row unchanged.
    """
    rows = SigningCertificate.unscoped_objects.select_for_update().only(
        "pk", "p12_encrypted", "password_encrypted"
    )
    count = 0
    for row in rows:
        SigningCertificate.unscoped_objects.filter(pk=row.pk).update(
            p12_encrypted=vault.rotate(row.p12_encrypted),
            password_encrypted=vault.rotate(row.password_encrypted),
        )
        count += 1
    return count


# --- creation and signing ---------------------------------------------------------


def edoc_create(
    *,
    business: Business,
    document: Invoice | CreditNote,
    source: str = "",
    modifies: ElectronicDocument | None = None,
    enqueue: bool = True,
    fresh: bool = False,
) -> ElectronicDocument:
    """Build and validate the XML of a document and store it, idempotently.

    Call inside the sale's transaction: submission is enqueued on commit, so a
    rolled-back sale never reaches the SRI and the cashier never waits.
    `fresh` skips the look-up for a number just taken from its sequence (the
    unique clave de acceso still refuses a duplicate).
    """
    if document.issuer.ruc != business.ruc:
        raise DocumentStateError(_("El RUC del comprobante no es el del negocio."))
    key = document.access_key
    if not fresh:
        existing = ElectronicDocument.objects.filter(business=business, access_key=key)
        if edoc := existing.first():
            return edoc
    edoc = ElectronicDocument(
        business=business,
        kind=document.cod_doc,
        access_key=key,
        xml=document_xml_build(document).decode("utf-8"),
        payload=payload_from_document(document),
        source=source,
        modifies=modifies,
        **_summary(document),
    )
    insert_returning(ElectronicDocument, [edoc])
    if enqueue and not _submission_deferred.get():
        if _queue_shares_transaction():
            # Transactional outbox: the task row commits, or rolls back, with
            # the document; the worker cannot see it before the commit.
            _enqueue(edoc, swallow=False)
        else:
            transaction.on_commit(lambda: _enqueue(edoc))
    return edoc


def _queue_shares_transaction() -> bool:
    """Whether the task queue is a table in the database we are writing to."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from .tasks import edoc_submit_task

    if not isinstance(edoc_submit_task.get_backend(), DatabaseBackend):
        return False
    return router.db_for_write(DBTaskResult) == transaction.get_connection().alias


def edoc_create_for_sale(
    *, business: Business, sale_id: int, document: Invoice
) -> ElectronicDocument:
    """The factura of a posted sale; call inside the checkout transaction."""
    return edoc_create(
        business=business, document=document, source=f"sale:{sale_id}", fresh=True
    )


def edoc_create_for_void(
    *,
    business: Business,
    void_id: int,
    invoice: ElectronicDocument,
    document: CreditNote,
) -> ElectronicDocument:
    """The nota de crédito of a void, referencing the invoice it corrects."""
    return edoc_create_credit_note(
        business=business, source=f"void:{void_id}", invoice=invoice, document=document
    )


def edoc_create_credit_note(
    *,
    business: Business,
    source: str,
    invoice: ElectronicDocument,
    document: CreditNote,
) -> ElectronicDocument:
    """A nota de crédito (a void's or a return's) of the invoice it corrects."""
    if document.modified_number != invoice.number:
        raise DocumentStateError(_("La nota de crédito no referencia esa factura."))
    return edoc_create(
        business=business, document=document, source=source, modifies=invoice
    )


@contextmanager
def submission_deferred():
    """Create documents without enqueueing their submission (demo data, imports).

    They stay pending: `edoc_sign` or `sri_send_pending` takes them on later.
    """
    token = _submission_deferred.set(True)
    try:
        yield
    finally:
        _submission_deferred.reset(token)


def consumidor_final_check(*, business: Business, total, id_type: str) -> None:
    """Refuse a CONSUMIDOR FINAL sale above the business's limit (default USD 50)."""
    limit = business.final_consumer_limit
    if id_type == IdType.CONSUMIDOR_FINAL and total > limit:
        raise ConsumidorFinalLimitError(
            _(
                "Ventas a consumidor final de más de USD %(limit)s requieren "
                "identificar al cliente."
            )
            % {"limit": limit},
            field="customer",
        )


@transaction.atomic
def edoc_annulment_request(
    *, business: Business, edoc: ElectronicDocument, at, reason: str
) -> ElectronicDocument:
    """Record that an invoice must be annulled in the SRI portal (no credit note).

    The invoice is still sent and authorised (the portal annuls authorised
    documents only); the ATS of the month lists it under `anulados`.
    """
    if edoc.business_id != business.pk or edoc.kind != COD_DOC_FACTURA:
        raise DocumentStateError()
    if edoc.annulment_requested_at is None:
        edoc.annulment_requested_at = at
        edoc.annulment_reason = reason[:300]
        edoc.save(
            update_fields=["annulment_requested_at", "annulment_reason", "updated_at"]
        )
        _event(edoc, Event.Action.ANNULMENT_REQUEST, summary=edoc.annulment_reason)
    return edoc


@transaction.atomic
def edoc_portal_annulment_record(
    *, business: Business, edoc: ElectronicDocument, user, reference: str = ""
) -> ElectronicDocument:
    """Record that an invoice marked for annulment was annulled in the SRI portal.

    The portal annuls authorised documents only, so the invoice must be
    authorised first; recording twice is refused (who and when stay the first).
    """
    edoc = (
        ElectronicDocument.objects.select_for_update()
        .filter(business=business, pk=edoc.pk)
        .first()
    )
    if edoc is None or not edoc.needs_portal_annulment:
        raise DocumentStateError(
            _("Este comprobante no está marcado para anular en el portal.")
        )
    if edoc.annulled_in_portal_at is not None:
        raise DocumentStateError(_("La anulación en el portal ya fue registrada."))
    if edoc.state != DocState.AUTHORISED:
        raise DocumentStateError(
            _(
                "El SRI solo anula comprobantes autorizados: espere la "
                "autorización y anúlelo después en el portal."
            )
        )
    edoc.annulled_in_portal_at = timezone.now()
    edoc.annulled_in_portal_by = user
    edoc.annulment_reference = reference.strip()[:120]
    edoc.save(
        update_fields=[
            "annulled_in_portal_at",
            "annulled_in_portal_by",
            "annulment_reference",
            "updated_at",
        ]
    )
    _event(
        edoc,
        Event.Action.PORTAL_ANNULMENT,
        actor=user,
        summary=edoc.annulment_reference,
    )
    return edoc


def _summary(document) -> dict:
    return {
        "number": document.number,
        "issue_date": document.fecha,
        "ambiente": document.issuer.ambiente,
        "buyer_id_type": document.buyer.id_type,
        "buyer_identification": document.buyer.identification,
        "buyer_name": document.buyer.name[:300],
        "buyer_email": document.buyer.email,
        "subtotal": document.subtotal,
        "tax_total": document.total_tax,
        "total": document.total,
    }


def _enqueue(edoc: ElectronicDocument, run_after=None, *, swallow: bool = True) -> None:
    from .tasks import edoc_submit_task

    task = (
        edoc_submit_task.using(run_after=run_after) if run_after else edoc_submit_task
    )
    try:
        # The worker has no tenant in context: the task names its business.
        task.enqueue(edoc.pk, business_id=edoc.business_id)
    except Exception:
        if not swallow:  # inside the document's transaction: fail with it
            raise
        # The queue being down must not lose the document: sri_send_pending
        # picks up every pending document whose next attempt is due.
        logger.exception("could not enqueue SRI submission of document %s", edoc.pk)


def edoc_sign(*, edoc: ElectronicDocument) -> ElectronicDocument:
    """Sign a generated document with the business's active certificate."""
    if edoc.state != DocState.GENERATED:
        raise DocumentStateError()
    identity = selectors.certificate_identity(business=edoc.business)
    edoc.signed_xml = document_sign(edoc.xml.encode("utf-8"), identity).decode("utf-8")
    edoc.state = DocState.SIGNED
    edoc.last_error = ""
    edoc.save(update_fields=["signed_xml", "state", "last_error", "updated_at"])
    _event(edoc, Event.Action.SIGN, from_state=DocState.GENERATED)
    return edoc


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


def _state_set(
    edoc: ElectronicDocument, state: str, *, action: str, error: str = "", summary=""
) -> None:
    before = edoc.state
    edoc.state = state
    edoc.last_error = error
    edoc.next_attempt_at = None
    edoc.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
    _event(edoc, action, from_state=before, summary=summary or error)


def _event(
    edoc: ElectronicDocument, action: str, *, from_state=None, actor=None, summary=""
) -> Event:
    """Append the row that records a change of the document (never updated)."""
    return Event.unscoped_objects.create(
        business_id=edoc.business_id,
        document=edoc,
        action=action,
        from_state=edoc.state if from_state is None else from_state,
        to_state=edoc.state,
        actor=actor,
        summary=summary[:500],
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


# --- owner actions --------------------------------------------------------------


def edoc_resend(*, edoc: ElectronicDocument, actor=None) -> ElectronicDocument:
    """Send a rejected document again as it is (e.g. after uploading a certificate).

    A DEVUELTA document was never registered, so the same clave de acceso can
    be used; SRI also accepts a corrected resubmission of a NO AUTORIZADO one.
    """
    if edoc.state not in REJECTED_STATES:
        raise DocumentStateError()
    before = edoc.state
    edoc.state = DocState.GENERATED  # re-sign: the certificate may have changed
    edoc.next_attempt_at = None
    edoc.save(update_fields=["state", "next_attempt_at", "updated_at"])
    _event(edoc, Event.Action.RESEND, from_state=before, actor=actor)
    return edoc_submit(edoc=edoc)


def edoc_fix_and_resend(
    *, edoc: ElectronicDocument, buyer_changes: dict, actor=None
) -> ElectronicDocument:
    """Correct the buyer data of a rejected document, rebuild it and send it again."""
    if edoc.state not in REJECTED_STATES:
        raise DocumentStateError()
    payload = dict(edoc.payload)
    payload["buyer"] = {**payload["buyer"], **buyer_changes}
    document = document_from_payload(payload)  # validates the new data
    edoc.payload = payload_from_document(document)
    edoc.xml = document_xml_build(document).decode("utf-8")
    for field, value in _summary(document).items():
        setattr(edoc, field, value)
    edoc.save()
    _event(
        edoc, Event.Action.FIX, actor=actor, summary=", ".join(sorted(buyer_changes))
    )
    return edoc_resend(edoc=edoc, actor=actor)


# --- delivery to the buyer ----------------------------------------------------------


def edoc_ride(*, edoc: ElectronicDocument) -> bytes:
    return ride_render(
        document_from_payload(edoc.payload),
        authorization_number=edoc.authorization_number,
        authorized_at=timezone.localtime(edoc.authorized_at)
        if edoc.authorized_at
        else None,
    )


def edoc_email(*, edoc: ElectronicDocument) -> bool:
    """E-mail the RIDE and the authorised XML to the buyer, once."""
    if edoc.state != DocState.AUTHORISED or not edoc.buyer_email or edoc.emailed_at:
        return False
    business = edoc.business
    message = EmailMessage(
        subject=_("%(kind)s %(number)s de %(business)s")
        % {
            "kind": edoc.get_kind_display(),
            "number": edoc.number,
            "business": business,
        },
        body=_(
            "Adjuntamos su comprobante electrónico autorizado por el SRI.\n"
            "Clave de acceso: %(key)s"
        )
        % {"key": edoc.access_key},
        to=[edoc.buyer_email],
    )
    message.attach(f"{edoc.access_key}.pdf", edoc_ride(edoc=edoc), "application/pdf")
    message.attach(f"{edoc.access_key}.xml", edoc.authorised_xml, "application/xml")
    try:
        message.send()
    except OSError:
        logger.exception("could not e-mail document %s", edoc.pk)
        return False
    edoc.emailed_at = timezone.now()
    edoc.save(update_fields=["emailed_at", "updated_at"])
    return True
