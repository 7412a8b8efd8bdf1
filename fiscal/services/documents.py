"""Creating, signing and annulling electronic documents; the submission queue."""

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from core.batch import Batch, insert_returning
from core.sql import build
from core.sri_codes import IdType

from .. import selectors
from ..errors import (
    ConsumidorFinalLimitError,
    DocumentStateError,
)
from ..models import (
    DocState,
    ElectronicDocument,
)
from ..models import (
    ElectronicDocumentEvent as Event,
)
from ..sri.documents import (
    COD_DOC_FACTURA,
    CreditNote,
    Invoice,
)
from ..sri.payload import document_from_payload, payload_from_document
from ..sri.signing import document_sign
from ..sri.xml import XmlValidationError, document_xml_build

logger = logging.getLogger(__name__)
_submission_deferred: ContextVar[bool] = ContextVar(
    "fiscal_submission_deferred", default=False
)


# --- creation and signing ---------------------------------------------------------


def edoc_create(
    *,
    business: Business,
    document: Invoice | CreditNote,
    source: str = "",
    modifies: ElectronicDocument | None = None,
    enqueue: bool = True,
    fresh: bool = False,
    batch: Batch | None = None,
    pk: int | None = None,
) -> ElectronicDocument:
    """Store a document (its data, key and totals), idempotently.

    Its XML is built from the stored data and checked against the XSD when
    the document is signed (`edoc_sign`, in the background worker), not here:
    building it was a tenth of a checkout's work, and a paid sale is never
    refused for its document; one the schema refuses is returned for the
    owner to correct, as the SRI's refusals are. `edoc_xml` gives it before.

    Call inside the sale's transaction: submission is enqueued on commit, so a
    rolled-back sale never reaches the SRI and the cashier never waits.
    `fresh` skips the look-up for a number just taken from its sequence (the
    unique clave de acceso still refuses a duplicate). With `batch` (the
    checkout's) and `pk`, an id the caller reserved (`Batch.next_ids`), the
    document and its submission task join the batch: nothing waits for the
    database in between.
    """
    if (batch is None) != (pk is None):
        raise ValueError("a batched document needs its reserved id, and only then")
    if document.issuer.ruc != business.ruc:
        raise DocumentStateError(_("El RUC del comprobante no es el del negocio."))
    key = document.access_key
    if not fresh:
        existing = ElectronicDocument.objects.filter(business=business, access_key=key)
        if edoc := existing.first():
            return edoc
    edoc = build(
        ElectronicDocument,
        pk=pk,
        business=business,
        kind=document.cod_doc,
        access_key=key,
        payload=payload_from_document(document),
        source=source,
        modifies=modifies,
        **_summary(document),
    )
    if batch is None:
        insert_returning(ElectronicDocument, [edoc])
    else:
        batch.insert(ElectronicDocument, [edoc])
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

    from ..tasks import edoc_submit_task

    if not isinstance(edoc_submit_task.get_backend(), DatabaseBackend):
        return False
    return router.db_for_write(DBTaskResult) == transaction.get_connection().alias


def edoc_create_for_sale(
    *,
    business: Business,
    sale_id: int,
    document: Invoice,
    batch: Batch | None = None,
    pk: int | None = None,
) -> ElectronicDocument:
    """The factura of a posted sale; call inside the checkout transaction
    (`batch` and `pk`: see `edoc_create`)."""
    return edoc_create(
        business=business,
        document=document,
        source=f"sale:{sale_id}",
        fresh=True,
        batch=batch,
        pk=pk,
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
    from ..tasks import edoc_submit_task

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


def edoc_xml(edoc: ElectronicDocument) -> str:
    """The document's unsigned XML: stored once it is signed; until then built
    from its stored data and validated against its XSD (XmlValidationError)."""
    if edoc.xml:
        return edoc.xml
    return document_xml_build(document_from_payload(edoc.payload)).decode("utf-8")


def edoc_sign(*, edoc: ElectronicDocument) -> ElectronicDocument:
    """Build, validate and sign a generated document with the business's
    active certificate; one its XSD refuses is returned for correction."""
    if edoc.state != DocState.GENERATED:
        raise DocumentStateError()
    try:
        xml = edoc_xml(edoc)
    except XmlValidationError as exc:
        return _schema_refused(edoc, exc)
    identity = selectors.certificate_identity(business=edoc.business)
    edoc.xml = xml
    edoc.signed_xml = document_sign(xml.encode("utf-8"), identity).decode("utf-8")
    edoc.state = DocState.SIGNED
    edoc.last_error = ""
    edoc.save(update_fields=["xml", "signed_xml", "state", "last_error", "updated_at"])
    _event(edoc, Event.Action.SIGN, from_state=DocState.GENERATED)
    return edoc


_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([\w.-]+)'")


def _schema_refused(edoc: ElectronicDocument, exc: XmlValidationError):
    """Never sent: the owner corrects it (fix and resend), as a DEVUELTA one.

    The owner reads the SRI's own field names (lxml's English explanation of
    each goes to the log)."""
    fields = sorted({m.group(1) for e in exc.errors for m in _ELEMENT.finditer(e)})
    error = _(
        "El comprobante no cumple el esquema del SRI y no se envió; revise: %(fields)s."
    ) % {"fields": ", ".join(fields)[:400] or _("los datos del comprobante")}
    _state_set(edoc, DocState.RETURNED, action=Event.Action.SIGN, error=error)
    logger.warning("document %s refused by its XSD: %s", edoc.pk, exc)
    return edoc


def _state_set(
    edoc: ElectronicDocument, state: str, *, action: str, error: str = "", summary=""
) -> None:
    """Move a document to `state` (its error, no further attempt) and record it."""
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
