"""Build documents for a real Business and drive them through the services."""

from datetime import timedelta

from django.utils import timezone

from backoffice.tenancy.models import EmissionPoint
from fiscal.models import ElectronicDocument
from fiscal.selectors import issuer_from_business
from fiscal.services import edoc_create, edoc_submit

from .sri_factories import credit_note_make, invoice_make


def invoice_for(business, secuencial: int, **overrides):
    point = EmissionPoint.objects.filter(business=business).first()
    issuer = issuer_from_business(business=business, emission_point=point)
    return invoice_make(issuer=issuer, secuencial=str(secuencial), **overrides)


def credit_note_for(business, secuencial: int, **overrides):
    point = EmissionPoint.objects.filter(business=business).first()
    issuer = issuer_from_business(business=business, emission_point=point)
    return credit_note_make(issuer=issuer, secuencial=str(secuencial), **overrides)


def edoc_make(business, secuencial: int = 1, **overrides) -> ElectronicDocument:
    return edoc_create(
        business=business, document=invoice_for(business, secuencial, **overrides)
    )


def make_due(edoc: ElectronicDocument) -> None:
    """Pretend the back-off delay has passed."""
    ElectronicDocument.unscoped_objects.filter(pk=edoc.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    edoc.refresh_from_db()


def schema_refused(business, secuencial: int) -> ElectronicDocument:
    """A stored document whose data its XSD refuses (a 25-digit buyer id,
    as a hand-edited row could hold), sent through the worker's path: it
    comes back RETURNED, unsigned."""
    edoc = edoc_make(business, secuencial)
    payload = {**edoc.payload, "buyer": {**edoc.payload["buyer"]}}
    payload["buyer"]["identification"] = "1" * 25
    ElectronicDocument.unscoped_objects.filter(pk=edoc.pk).update(payload=payload)
    edoc.refresh_from_db()
    edoc_submit(edoc=edoc)
    edoc.refresh_from_db()
    return edoc
