"""`load_demo` leaves both demo businesses with signed, unsent, valid documents."""

import io

import pytest
from django.core.management import call_command
from lxml import etree

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business
from fiscal.models import DocState, DocType, ElectronicDocument
from fiscal.selectors import certificate_active
from fiscal.sri.xml import SIGNATURE_TAG, validate
from fixtures.demo import demo_businesses
from pos.models import Sale, Void

pytestmark = pytest.mark.django_db


def _documents(business):
    with tenant_context(business):
        return list(ElectronicDocument.objects.all())


def test_load_demo_signs_every_document_and_sends_none(sri_settings, fake_sri):
    sri_settings.SRI_SEND_ENABLED = True  # even so, the demo never sends

    call_command("load_demo", sales=24, stdout=io.StringIO())

    rucs = [spec["ruc"] for spec in demo_businesses()]
    for business in Business.objects.filter(ruc__in=rucs):
        documents = _documents(business)
        with tenant_context(business):
            assert certificate_active(business=business) is not None
            sales = Sale.objects.count()
            voids = Void.objects.all()
            notes = sum(not v.needs_portal_annulment for v in voids)
            portal = sum(v.needs_portal_annulment for v in voids)
        assert sales == 24 and voids
        invoices = [d for d in documents if d.kind == DocType.INVOICE]
        assert len(invoices) == sales
        assert len(documents) - len(invoices) == notes
        assert sum(d.needs_portal_annulment for d in invoices) == portal
        for edoc in documents:
            assert edoc.state == DocState.SIGNED and edoc.ambiente == "1"
            assert edoc.attempts == 0 and edoc.sent_at is None
            validate(edoc.xml.encode())
            validate(edoc.signed_xml.encode())
            signed = etree.fromstring(edoc.signed_xml.encode())
            assert signed[-1].tag == SIGNATURE_TAG
    assert fake_sri.sends == []


def test_load_demo_twice_changes_nothing(sri_settings):
    call_command("load_demo", sales=6, stdout=io.StringIO())
    before = {
        b.ruc: sorted((d.access_key, d.signed_xml) for d in _documents(b))
        for b in Business.objects.all()
    }
    call_command("load_demo", sales=6, stdout=io.StringIO())
    after = {
        b.ruc: sorted((d.access_key, d.signed_xml) for d in _documents(b))
        for b in Business.objects.all()
    }
    assert before == after and all(before.values())


def test_admin_says_plainly_the_demo_documents_are_not_sent(client, sri_settings):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    sri_settings.SRI_SEND_ENABLED = False
    call_command("load_demo", sales=6, stdout=io.StringIO())
    business = Business.objects.get(ruc=demo_businesses()[1]["ruc"])
    owner = get_user_model().objects.get(username="tienda")
    client.force_login(owner)
    page = client.get(reverse("admin:fiscal_electronicdocument_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "todavía no se han enviado" in text
    assert f"({len(_documents(business))} sin enviar)" in text
    assert "Firmado, sin enviar" in text
