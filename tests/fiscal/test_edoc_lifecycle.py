"""Creation, background hand-off, the pending sender and owner corrections."""

import random

import pytest
from django.core.management import call_command
from django_tasks import default_task_backend

from backoffice.tenancy.context import no_tenant, system_context, tenant_context
from fiscal.errors import DocumentStateError
from fiscal.models import DocState, ElectronicDocument
from fiscal.services import (
    certificate_upload,
    edoc_create,
    edoc_fix_and_resend,
    edoc_resend,
    edoc_sign,
    edoc_submit,
    edoc_xml,
)
from fiscal.sri.documents import Buyer
from fiscal.sri.xml import validate
from fiscal.tasks import edoc_submit_task

from .certs import PASSWORD, p12_single, pki_make
from .edoc_helpers import credit_note_for, edoc_make, invoice_for, schema_refused

pytestmark = pytest.mark.django_db


def _manage(*args, **options):
    """Run a command as `manage.py` does: with no tenant in context."""
    with no_tenant():
        call_command(*args, **options)


def test_create_stores_a_valid_document_and_is_idempotent(certified):
    document = invoice_for(certified, 5)
    first = edoc_create(business=certified, document=document, source="sale:5")
    again = edoc_create(business=certified, document=document, source="sale:5")
    assert again.pk == first.pk
    assert ElectronicDocument.objects.count() == 1
    assert first.xml == ""  # built when signed, from the stored data
    validate(edoc_xml(first).encode())
    assert first.number == "001-001-000000005"
    assert first.total == document.total
    assert first.access_key[10:23] == certified.ruc


def test_signing_stores_the_xml_built_from_the_documents_data(certified):
    edoc = edoc_make(certified, 7)
    expected = edoc_xml(edoc)
    edoc_sign(edoc=edoc)
    edoc.refresh_from_db()
    assert edoc.state == DocState.SIGNED
    assert edoc.xml == expected
    assert "<secuencial>000000007</secuencial>" in edoc.xml
    validate(edoc.signed_xml.encode())
    assert edoc_xml(edoc) == expected  # from the row now


def test_a_document_its_schema_refuses_is_returned_unsigned_for_correction(
    certified,
):
    """A paid sale is never refused for its document: the worker finds the
    problem when it builds the XML, and the owner corrects it."""
    edoc = schema_refused(certified, 8)
    assert edoc.state == DocState.RETURNED
    assert (edoc.xml, edoc.signed_xml, edoc.attempts) == ("", "", 0)
    assert edoc.last_error.startswith("El comprobante no cumple el esquema del SRI")
    assert edoc.last_error.endswith("revise: identificacionComprador.")
    event = edoc.events.get()
    assert (event.from_state, event.to_state) == (DocState.GENERATED, DocState.RETURNED)
    # The owner's correction rebuilds, validates and sends it again.
    edoc_fix_and_resend(edoc=edoc, buyer_changes={"identification": "1712345675"})
    edoc.refresh_from_db()
    assert edoc.state != DocState.RETURNED
    assert "<identificacionComprador>1712345675</identificacionComprador>" in edoc.xml


def test_submission_is_enqueued_only_after_commit(
    certified, django_capture_on_commit_callbacks
):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edoc = edoc_make(certified, 6)
    assert default_task_backend.results == []  # nothing before commit
    for callback in callbacks:
        callback()
    (result,) = default_task_backend.results
    assert result.task.func == edoc_submit_task.func
    assert (result.args, result.kwargs) == ([edoc.pk], {"business_id": certified.pk})


def test_task_submits_in_the_documents_tenant(certified, fake_sri):
    """A worker has no tenant in context: the task names its business."""
    edoc = edoc_make(certified, 7)
    with no_tenant():
        state = edoc_submit_task.call(edoc.pk, business_id=certified.pk)
    assert state == DocState.AUTHORISED
    assert fake_sri.registrations_of(edoc.access_key) == 1


def test_task_queued_without_its_business_still_runs(certified, fake_sri):
    """Tasks queued before they carried the business (args `[edoc_id]`)."""
    edoc = edoc_make(certified, 17)
    with no_tenant():
        state = edoc_submit_task.call(edoc.pk)
    assert state == DocState.AUTHORISED
    assert fake_sri.registrations_of(edoc.access_key) == 1


def test_task_does_not_reach_a_document_of_another_business(
    certified, other_business, fake_sri
):
    edoc = edoc_make(certified, 18)
    with no_tenant(), pytest.raises(ElectronicDocument.DoesNotExist):
        edoc_submit_task.call(edoc.pk, business_id=other_business.pk)
    assert fake_sri.sends == []


def test_document_of_another_ruc_is_refused(certified, other_business):
    document = invoice_for(certified, 8)
    with tenant_context(other_business), pytest.raises(DocumentStateError):
        edoc_create(business=other_business, document=document)


def test_credit_note_flow_references_the_invoice(certified, fake_sri):
    invoice = edoc_make(certified, 9)
    note = edoc_create(
        business=certified,
        document=credit_note_for(certified, 1, modified_number=invoice.number),
        modifies=invoice,
        source="void:1",
    )
    edoc_submit(edoc=note)
    assert note.kind == "04" and note.state == DocState.AUTHORISED
    assert f"<numDocModificado>{invoice.number}<" in note.signed_xml


def test_send_pending_command_handles_every_business_and_skips_not_due(
    certified, other_business, fake_sri
):
    due = edoc_make(certified, 10)
    later = edoc_make(certified, 11)
    fake_sri.program(later.access_key, reception=["DROP"])
    edoc_submit(edoc=later)  # now SENT with a future next attempt
    with tenant_context(other_business):
        certificate_upload(
            business=other_business,
            p12=p12_single(pki_make(), ruc=other_business.ruc),
            password=PASSWORD,
        )
        other = edoc_make(other_business, 1)

    _manage("sri_send_pending")

    with system_context():
        states = dict(ElectronicDocument.unscoped_objects.values_list("pk", "state"))
    assert states == {
        due.pk: DocState.AUTHORISED,
        later.pk: DocState.SENT,
        other.pk: DocState.AUTHORISED,
    }


def test_fix_and_resend_corrects_the_buyer_and_reuses_the_clave(certified, fake_sri):
    edoc = edoc_make(certified, 12)
    key = edoc.access_key
    fake_sri.program(key, reception=[("DEVUELTA", "35")])
    edoc_submit(edoc=edoc)
    assert edoc.state == DocState.RETURNED

    edoc_fix_and_resend(
        edoc=edoc, buyer_changes={"email": "nuevo@example.com", "name": "María Pérez"}
    )

    assert edoc.state == DocState.AUTHORISED
    assert edoc.access_key == key
    assert edoc.buyer_email == "nuevo@example.com"
    assert "<razonSocialComprador>María Pérez<" in edoc.signed_xml
    assert fake_sri.registrations_of(key) == 1
    assert len(fake_sri.sends_of(key)) == 2  # the DEVUELTA one was not registered


def test_resend_refuses_documents_that_are_not_rejected(certified):
    edoc = edoc_make(certified, 13)
    with pytest.raises(DocumentStateError):
        edoc_resend(edoc=edoc)


def test_fix_cannot_turn_a_credit_note_into_consumidor_final(certified, fake_sri):
    note = edoc_create(business=certified, document=credit_note_for(certified, 2))
    fake_sri.program(note.access_key, reception=[("DEVUELTA", "35")])
    edoc_submit(edoc=note)
    cf = Buyer.consumidor_final()
    with pytest.raises(ValueError, match="consumidor final"):
        edoc_fix_and_resend(
            edoc=note,
            buyer_changes={"id_type": cf.id_type, "identification": cf.identification},
        )


def test_chaos_no_document_lost_none_registered_twice(certified, fake_sri):
    """Random drops, lost answers and EN PROCESO on 25 documents; run the sender
    until the queue is empty: every document ends authorised, registered once."""
    rng = random.Random(20261125)
    documents = [edoc_make(certified, 100 + n) for n in range(25)]
    for edoc in documents:
        fake_sri.program(
            edoc.access_key,
            reception=rng.sample(
                ["DROP", "DROP_AFTER_RECEIVE", "DROP"], rng.randint(0, 2)
            ),
            authorization=rng.sample(
                ["DROP", "EN PROCESO", "NOT_FOUND"], rng.randint(0, 3)
            ),
        )
    for _ in range(20):
        with system_context():
            ElectronicDocument.unscoped_objects.update(next_attempt_at=None)
        _manage("sri_send_pending")
    for edoc in documents:
        edoc.refresh_from_db()
        assert edoc.state == DocState.AUTHORISED, (edoc.number, edoc.last_error)
        assert fake_sri.registrations_of(edoc.access_key) == 1
        # what SRI holds is exactly the signed document we stored
        assert fake_sri.registered[edoc.access_key] == edoc.signed_xml.encode()


def test_one_broken_business_does_not_stop_the_sender(
    certified, other_business, fake_sri, settings
):
    from cryptography.fernet import Fernet

    good = edoc_make(certified, 200)
    with tenant_context(other_business):
        certificate_upload(
            business=other_business,
            p12=p12_single(pki_make(), ruc=other_business.ruc),
            password=PASSWORD,
        )
        broken = edoc_make(other_business, 1)
    # other_business's certificate can no longer be decrypted
    from fiscal.models import SigningCertificate

    with system_context():
        SigningCertificate.unscoped_objects.filter(business=other_business).update(
            password_encrypted=Fernet(Fernet.generate_key()).encrypt(b"x")
        )

    _manage("sri_send_pending")

    good.refresh_from_db()
    with system_context():
        broken = ElectronicDocument.unscoped_objects.get(pk=broken.pk)
    assert good.state == DocState.AUTHORISED
    assert broken.state == DocState.GENERATED
    assert broken.lease_until is None  # released for the next run
