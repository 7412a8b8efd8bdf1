"""Writes of the fiscal app: certificates and the life of electronic documents.

Submission never sends a document twice: the state is saved as SENT before
the HTTP call, and a document in SENT (outcome unknown) is first looked up in
Autorización; SRI's "clave registrada / en procesamiento" answers also lead
to an authorisation query, not a resend. A short lease stops two workers
from handling the same document at once.
"""

from .actions import edoc_fix_and_resend, edoc_resend
from .certificates import (
    certificate_keys_rotate,
    certificate_upload,
    certificate_usable_check,
)
from .delivery import edoc_email, edoc_ride
from .documents import (
    consumidor_final_check,
    edoc_annulment_request,
    edoc_create,
    edoc_create_credit_note,
    edoc_create_for_sale,
    edoc_create_for_void,
    edoc_portal_annulment_record,
    edoc_sign,
    edoc_xml,
    submission_deferred,
)
from .submission import (
    LEASE,
    _lease_take,
    backoff_delay,
    edoc_submit,
    sri_client_for,
)

__all__ = [
    "LEASE",
    "_lease_take",
    "backoff_delay",
    "certificate_keys_rotate",
    "certificate_upload",
    "certificate_usable_check",
    "consumidor_final_check",
    "edoc_annulment_request",
    "edoc_create",
    "edoc_create_credit_note",
    "edoc_create_for_sale",
    "edoc_create_for_void",
    "edoc_email",
    "edoc_fix_and_resend",
    "edoc_portal_annulment_record",
    "edoc_resend",
    "edoc_ride",
    "edoc_sign",
    "edoc_xml",
    "edoc_submit",
    "sri_client_for",
    "submission_deferred",
]
