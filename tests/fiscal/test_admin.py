import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.tenancy.context import tenant_context
from fiscal.models import DocState, SigningCertificate
from fiscal.services import edoc_submit

from .certs import PASSWORD, p12_single, pki_make
from .edoc_helpers import edoc_make, schema_refused

pytestmark = pytest.mark.django_db


def change_url(edoc):
    return reverse("admin:fiscal_electronicdocument_change", args=[edoc.pk])


def action_url(name, edoc=None):
    if edoc is None:
        return reverse(f"admin:fiscal_electronicdocument_{name}")
    return reverse(f"admin:fiscal_electronicdocument_{name}", args=[edoc.pk])


@pytest.fixture
def returned(certified, fake_sri):
    edoc = edoc_make(certified, 1)
    fake_sri.program(edoc.access_key, reception=[("DEVUELTA", "35")])
    edoc_submit(edoc=edoc)
    return edoc


def test_owner_sees_the_document_with_its_spanish_sri_messages(owner_client, returned):
    response = owner_client.get(change_url(returned))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ARCHIVO NO CUMPLE ESTRUCTURA XML" in body
    assert "Devuelto" in body
    listing = owner_client.get(reverse("admin:fiscal_electronicdocument_changelist"))
    assert returned.number in listing.content.decode()


def test_another_business_document_is_not_found(
    owner_client, other_business, sri_settings
):
    with tenant_context(other_business):
        foreign = edoc_make(other_business, 1)
    # Django's admin answers a missing object with a redirect to the index
    response = owner_client.get(change_url(foreign))
    assert (response.status_code, response.get("Location")) == (302, "/admin/")
    assert owner_client.get(action_url("download_ride", foreign)).status_code == 404
    listing = owner_client.get(reverse("admin:fiscal_electronicdocument_changelist"))
    assert foreign.number not in listing.content.decode()


def test_ride_and_xml_downloads(owner_client, returned):
    pdf = owner_client.get(action_url("download_ride", returned))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xml = owner_client.get(action_url("download_xml", returned))
    assert returned.access_key.encode() in xml.content


def test_resend_action_sends_again(owner_client, returned, fake_sri):
    response = owner_client.post(
        action_url("resend", returned), {"_form_submitted": "on"}
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == DocState.AUTHORISED
    assert fake_sri.registrations_of(returned.access_key) == 1


def test_fix_and_resend_action_corrects_the_buyer(owner_client, returned):
    form = owner_client.post(action_url("fix_and_resend", returned))
    assert "María José Pérez" in form.content.decode()  # prefilled
    response = owner_client.post(
        action_url("fix_and_resend", returned),
        {
            "_form_submitted": "on",
            "id_type": "05",
            "identification": "1710034065",
            "name": "María J. Pérez",
            "email": "mj@example.com",
            "address": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.state == DocState.AUTHORISED
    assert returned.buyer_name == "María J. Pérez"


def test_cashier_cannot_resend(client, business, returned):
    from tests.factories import UserFactory, membership

    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    response = client.post(action_url("resend", returned), {"_form_submitted": "on"})
    assert response.status_code == 403
    returned.refresh_from_db()
    assert returned.state == DocState.RETURNED


def test_month_export_downloads_a_zip(owner_client, returned):
    response = owner_client.post(
        action_url("export_month"), {"_form_submitted": "on", "month": "2026-11"}
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert f"{returned.access_key}.xml" in names
    assert "ATS-2026-11.xml" in names


def test_owner_uploads_a_certificate_and_never_sees_the_password(
    owner_client, business, sri_settings
):
    upload = SimpleUploadedFile("firma.p12", p12_single(pki_make(), ruc=business.ruc))
    response = owner_client.post(
        reverse("admin:fiscal_signingcertificate_add"),
        {"p12_file": upload, "password": PASSWORD},
    )
    assert response.status_code == 302
    with tenant_context(business):
        cert = SigningCertificate.objects.get()
    page = owner_client.get(
        reverse("admin:fiscal_signingcertificate_change", args=[cert.pk])
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "COMERCIAL ANDINA S.A." in body
    assert PASSWORD not in body


def test_wrong_certificate_password_shows_an_error(owner_client, sri_settings):
    upload = SimpleUploadedFile("firma.p12", p12_single(pki_make()))
    response = owner_client.post(
        reverse("admin:fiscal_signingcertificate_add"),
        {"p12_file": upload, "password": "otra"},
    )
    assert response.status_code == 200
    assert "contraseña" in response.content.decode().lower()
    assert not SigningCertificate.unscoped_objects.exists()


def test_expiring_certificate_is_flagged_in_the_list(
    owner_client, business, sri_settings
):
    from fiscal.services import certificate_upload

    with tenant_context(business):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), days=10, ruc=business.ruc),
            password=PASSWORD,
        )
    page = owner_client.get(reverse("admin:fiscal_signingcertificate_changelist"))
    assert "Caduca en" in page.content.decode()


def test_list_says_plainly_when_sending_is_disabled(owner_client, sri_settings):
    sri_settings.SRI_SEND_ENABLED = False
    page = owner_client.get(reverse("admin:fiscal_electronicdocument_changelist"))
    assert "todavía no se han enviado" in page.content.decode()


def test_search_by_number_or_access_key_is_exact(owner_client, business, sri_settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with tenant_context(business):
        first, second = edoc_make(business, 7), edoc_make(business, 17)
    url = reverse("admin:fiscal_electronicdocument_changelist")

    def found(term):
        body = owner_client.get(url, {"q": term}).content.decode()
        return {edoc.number for edoc in (first, second) if edoc.number in body}

    assert found("7") == {first.number}
    assert found(second.number) == {second.number}
    assert found(second.access_key) == {second.number}
    assert found("999") == set()
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(url)
    listing = [
        q["sql"] for q in queries if 'FROM "fiscal_electronicdocument"' in q["sql"]
    ]
    assert listing and not any('"signed_xml"' in sql for sql in listing)


def test_search_by_buyer_matches_customers_then_documents(
    owner_client, business, sri_settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backoffice.customers.models import Customer

    from .sri_factories import buyer_make

    with tenant_context(business):
        Customer.objects.create(
            business=business,
            id_type="05",
            identification="1710034065",
            name="María José Pérez",
        )
        maria = edoc_make(business, 3)
        other = edoc_make(
            business, 4, buyer=buyer_make(identification="0102030405", name="Otro")
        )
    url = reverse("admin:fiscal_electronicdocument_changelist")

    def found(term):
        body = owner_client.get(url, {"q": term}).content.decode()
        return {edoc.number for edoc in (maria, other) if edoc.number in body}

    assert found("maría pérez") == {maria.number}
    assert found("1710034065") == {maria.number}
    assert found("nadie") == set()
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(url, {"q": "pérez"})
    assert not [
        q["sql"]
        for q in queries
        if 'FROM "fiscal_electronicdocument"' in q["sql"] and "LIKE" in q["sql"]
    ]


def test_month_export_dialog_sends_the_browser_to_the_zip(owner_client, returned):
    response = owner_client.post(
        action_url("export_month"),
        {"_form_submitted": "on", "month": "2026-11"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "southernpos-download"
    file_url = response["HX-Redirect"]
    assert file_url == action_url("export_month_file") + "?month=2026-11"
    download = owner_client.get(file_url)
    assert download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert f"{returned.access_key}.xml" in names


def test_month_export_file_refuses_a_bad_month_and_a_cashier(
    client, owner_client, business, returned
):
    from tests.factories import UserFactory, membership

    bad = owner_client.get(action_url("export_month_file") + "?month=2026-13")
    assert bad.status_code == 302
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    refused = client.get(action_url("export_month_file") + "?month=2026-11")
    assert refused.status_code == 403


def test_xml_download_of_a_document_not_signed_yet_is_built_from_its_data(
    owner_client, certified
):
    edoc = edoc_make(certified, 2)
    assert edoc.xml == ""
    xml = owner_client.get(action_url("download_xml", edoc))
    assert xml["Content-Type"] == "application/xml"
    assert b"<secuencial>000000002</secuencial>" in xml.content
    assert b"<ds:Signature" not in xml.content


def test_a_document_its_schema_refused_has_no_xml_to_download(owner_client, certified):
    edoc = schema_refused(certified, 3)
    assert edoc.state == DocState.RETURNED
    response = owner_client.get(action_url("download_xml", edoc), follow=True)
    assert response.redirect_chain[-1][0] == change_url(edoc)
    body = response.content.decode()
    assert "no cumple el esquema del SRI" in body
