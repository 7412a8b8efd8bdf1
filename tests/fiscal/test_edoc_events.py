"""Every change of an electronic document's state is an append-only event row."""

import pytest

from fiscal.models import DocState, ElectronicDocumentEvent
from fiscal.services import edoc_fix_and_resend, edoc_submit
from tests.factories import UserFactory

from .edoc_helpers import edoc_make

pytestmark = pytest.mark.django_db

Action = ElectronicDocumentEvent.Action


def _events(edoc) -> list[tuple]:
    rows = ElectronicDocumentEvent.unscoped_objects.filter(document=edoc)
    return [
        (e.action, e.from_state, e.to_state, e.business_id, e.actor_id)
        for e in rows.order_by("id")
    ]


def test_creation_writes_no_event(certified):
    # The document is created inside the checkout's batch: no extra write there.
    edoc = edoc_make(certified)

    assert _events(edoc) == []


def test_submit_to_authorised_writes_sign_send_reception_authorisation(
    certified, fake_sri
):
    edoc = edoc_make(certified)

    edoc_submit(edoc=edoc)

    b = certified.pk
    assert _events(edoc) == [
        (Action.SIGN, DocState.GENERATED, DocState.SIGNED, b, None),
        (Action.SEND, DocState.SIGNED, DocState.SENT, b, None),
        (Action.RECEPTION, DocState.SENT, DocState.RECEIVED, b, None),
        (Action.AUTHORIZATION, DocState.RECEIVED, DocState.AUTHORISED, b, None),
    ]
    last = ElectronicDocumentEvent.unscoped_objects.filter(document=edoc).last()
    assert last.summary == f"AUTORIZADO {edoc.authorization_number}"


def test_a_returned_document_keeps_the_sri_answer_and_who_resent_it(
    certified, fake_sri
):
    owner = UserFactory()
    edoc = edoc_make(certified, 12)
    fake_sri.program(edoc.access_key, reception=[("DEVUELTA", "35")])
    edoc_submit(edoc=edoc)

    edoc_fix_and_resend(edoc=edoc, buyer_changes={"name": "María Pérez"}, actor=owner)

    rows = list(
        ElectronicDocumentEvent.unscoped_objects.filter(document=edoc).order_by("id")
    )
    returned = rows[2]
    assert (returned.action, returned.to_state) == (Action.RECEPTION, "returned")
    assert "35" in returned.summary
    fix, resend = rows[3], rows[4]
    assert (fix.action, fix.actor, fix.summary) == (Action.FIX, owner, "name")
    assert (resend.action, resend.from_state, resend.to_state, resend.actor) == (
        Action.RESEND,
        DocState.RETURNED,
        DocState.GENERATED,
        owner,
    )
    assert rows[-1].to_state == DocState.AUTHORISED
