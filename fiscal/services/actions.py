"""What the owner does with a document: resend, fix and resend."""

from ..errors import (
    DocumentStateError,
)
from ..models import (
    REJECTED_STATES,
    DocState,
    ElectronicDocument,
)
from ..models import (
    ElectronicDocumentEvent as Event,
)
from ..sri.payload import document_from_payload, payload_from_document
from ..sri.xml import document_xml_build
from .documents import _event, _summary
from .submission import edoc_submit

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
