"""The submission state machine against the local fake SRI.

Every test checks the fake's records: a document is registered at most once
and never sent again once the SRI has it.
"""

import pytest
from django.core import mail
from lxml import etree

from fiscal.models import DocState, ElectronicDocument, SriMessage
from fiscal.services import backoff_delay, edoc_submit

from .edoc_helpers import edoc_make, make_due

pytestmark = pytest.mark.django_db


def test_happy_path_signs_sends_authorises_and_emails(certified, fake_sri):
    edoc = edoc_make(certified)
    assert edoc.state == DocState.GENERATED

    edoc_submit(edoc=edoc)

    assert edoc.state == DocState.AUTHORISED
    assert edoc.authorization_number == edoc.access_key
    assert edoc.authorized_at is not None
    assert fake_sri.registrations_of(edoc.access_key) == 1
    assert len(fake_sri.sends_of(edoc.access_key)) == 1
    wrapper = etree.fromstring(edoc.authorised_xml.encode())
    assert wrapper.findtext("estado") == "AUTORIZADO"
    assert edoc.access_key in wrapper.findtext("comprobante")
    assert len(mail.outbox) == 1
    names = [name for name, _, _ in mail.outbox[0].attachments]
    assert names == [f"{edoc.access_key}.pdf", f"{edoc.access_key}.xml"]
    assert mail.outbox[0].to == ["maria@example.com"]


def test_authorised_document_is_never_touched_again(certified, fake_sri):
    edoc = edoc_make(certified)
    edoc_submit(edoc=edoc)
    edoc_submit(edoc=edoc)
    assert len(fake_sri.sends) == 1
    assert len(fake_sri.queries) == 1
    assert len(mail.outbox) == 1


def test_connection_dropped_before_sri_got_it_is_resent_once(certified, fake_sri):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, reception=["DROP"])

    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.SENT
    assert edoc.attempts == 1 and edoc.next_attempt_at is not None
    assert "SRI no disponible" in edoc.last_error

    make_due(edoc)
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.AUTHORISED
    # asked Autorización first (unknown), then sent again: one registration
    assert fake_sri.queries[0] == edoc.access_key
    assert fake_sri.registrations_of(edoc.access_key) == 1


def test_answer_lost_after_sri_received_it_is_not_resent(certified, fake_sri):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, reception=["DROP_AFTER_RECEIVE"])

    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.SENT

    make_due(edoc)
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.AUTHORISED
    assert len(fake_sri.sends_of(edoc.access_key)) == 1  # no second send at all


@pytest.mark.parametrize("code", ["43", "70"])
def test_clave_registrada_or_en_procesamiento_leads_to_a_query(
    certified, fake_sri, code
):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, reception=[("DEVUELTA", code)])
    fake_sri.registered[edoc.access_key] = b"<factura/>"  # SRI had it already

    edoc_submit(edoc=edoc)

    assert edoc.state == DocState.AUTHORISED
    assert len(fake_sri.sends_of(edoc.access_key)) == 1
    assert fake_sri.queries == [edoc.access_key]
    assert edoc.messages.get().identificador == code


def test_devuelta_35_is_returned_with_its_message_and_not_retried(certified, fake_sri):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, reception=[("DEVUELTA", "35")])

    edoc_submit(edoc=edoc)
    edoc_submit(edoc=edoc)

    assert edoc.state == DocState.RETURNED
    message = edoc.messages.get()
    assert (message.origin, message.identificador, message.mensaje) == (
        SriMessage.Origin.RECEPCION,
        "35",
        "ARCHIVO NO CUMPLE ESTRUCTURA XML",
    )
    assert message.informacion_adicional == "Detalle de prueba 35"
    assert "[35] ARCHIVO NO CUMPLE ESTRUCTURA XML" in edoc.last_error
    assert len(fake_sri.sends) == 1
    assert mail.outbox == []


def test_no_autorizado_firma_invalida(certified, fake_sri):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, authorization=[("NO AUTORIZADO", "39")])

    edoc_submit(edoc=edoc)

    assert edoc.state == DocState.NOT_AUTHORISED
    assert edoc.messages.get().mensaje == "FIRMA INVALIDA"
    assert edoc.authorization_number == ""


def test_en_proceso_waits_with_back_off_then_authorises(certified, fake_sri):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, authorization=["EN PROCESO", "EN PROCESO"])

    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.RECEIVED
    first_delay = edoc.next_attempt_at - edoc.updated_at

    make_due(edoc)
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.RECEIVED
    assert edoc.next_attempt_at - edoc.updated_at > first_delay

    make_due(edoc)
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.AUTHORISED
    assert len(fake_sri.sends) == 1
    assert len(fake_sri.queries) == 3


def test_backoff_grows_and_is_capped():
    delays = [backoff_delay(n).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert delays == [30, 60, 120, 240, 3600]


def test_without_certificate_nothing_is_sent(business, sri_settings, fake_sri):
    from backoffice.tenancy.context import tenant_context

    with tenant_context(business):
        edoc = edoc_make(business)
        edoc_submit(edoc=edoc)
    assert edoc.state == DocState.GENERATED
    assert "certificado" in edoc.last_error
    assert edoc.next_attempt_at is not None
    assert fake_sri.sends == []


def test_a_leased_document_is_left_alone(certified, fake_sri):
    from fiscal.services import _lease_take

    edoc = edoc_make(certified)
    assert _lease_take(edoc)  # another worker holds it
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.GENERATED
    assert fake_sri.sends == []


def test_sri_message_rows_are_scoped_to_their_business(
    certified, other_business, fake_sri
):
    from backoffice.tenancy.context import tenant_context

    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, reception=[("DEVUELTA", "35")])
    edoc_submit(edoc=edoc)
    with tenant_context(other_business):
        assert not ElectronicDocument.objects.exists()
        assert not SriMessage.objects.exists()


def test_received_but_never_processed_is_resent_safely_after_a_while(
    certified, fake_sri
):
    edoc = edoc_make(certified)
    fake_sri.program(edoc.access_key, authorization=["NOT_FOUND"] * 6)
    for _ in range(8):
        edoc_submit(edoc=edoc)
        make_due(edoc)
    assert edoc.state == DocState.AUTHORISED
    outcomes = [s.outcome for s in fake_sri.sends_of(edoc.access_key)]
    assert outcomes == ["RECIBIDA", "DEVUELTA:43"]  # the resend was a safe no-op
    assert fake_sri.registrations_of(edoc.access_key) == 1
