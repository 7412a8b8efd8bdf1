"""Gap-free document numbers, one sequence per emission point and document type.

The number is taken under a row lock inside the caller's transaction: if the
sale rolls back, so does the number, and concurrent tills wait their turn.
"""

from django.db import transaction
from django.db.models import F

from .models import DocumentSequence


def next_number(*, business, emission_point, doc_type: str) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the document's transaction")
    keys = {
        "business": business,
        "emission_point": emission_point,
        "doc_type": doc_type,
    }
    seq = DocumentSequence.objects.select_for_update().filter(**keys).first()
    if seq is None:
        DocumentSequence.objects.bulk_create(
            [DocumentSequence(**keys)], ignore_conflicts=True
        )
        seq = DocumentSequence.objects.select_for_update().get(**keys)
    DocumentSequence.objects.filter(pk=seq.pk).update(last_number=F("last_number") + 1)
    return seq.last_number + 1


def format_number(*, establishment_code: str, point_code: str, number: int) -> str:
    """`001-001-000000123`, as printed on SRI documents."""
    return f"{establishment_code}-{point_code}-{number:09d}"
