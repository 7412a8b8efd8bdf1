"""A RUC claim blocks others only once proven (issue 10, accounts)."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.db import IntegrityError
from django.utils import timezone

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business, RucDispute
from fiscal.errors import CertificateInvalidError
from fiscal.services import certificate_upload
from tests.factories import BusinessFactory, UserFactory, valid_ruc
from tests.fiscal.certs import PASSWORD, _rsa_key, pki_make

from .links import link_in

pytestmark = pytest.mark.django_db
OWNER_PASSWORD = "Clave-del-negocio-8"


def _signup(client, ruc, email="nueva@duena.ec"):
    return client.post(
        "/signup/",
        {
            "email": email,
            "ruc": ruc,
            "razon_social": "Reclamante S.A.",
            "direccion_matriz": "Quito",
            "mode": "retail",
        },
    )


def _confirm(client, mailoutbox):
    link = link_in(mailoutbox[-1], "/signup/confirm/")
    return client.post(
        link, {"new_password1": OWNER_PASSWORD, "new_password2": OWNER_PASSWORD}
    )


def test_an_unverified_claim_does_not_block_the_real_owner(client, mailoutbox):
    ruc = valid_ruc()
    squatter = BusinessFactory(ruc=ruc, razon_social="Ocupa S.A.")
    assert _signup(client, ruc).status_code == 200
    assert _confirm(client, mailoutbox)["Location"] == "/admin/"
    with system_context():
        claims = list(Business.objects.filter(ruc=ruc).order_by("pk"))
    assert [b.pk for b in claims][0] == squatter.pk and len(claims) == 2
    assert client.get("/admin/").context["current_business"] == claims[1]


def test_a_verified_ruc_blocks_and_offers_a_dispute(client, mailoutbox):
    ruc = valid_ruc()
    BusinessFactory(ruc=ruc, ruc_verified_at=timezone.now())
    response = _signup(client, ruc)
    assert response.status_code == 400
    html = response.content.decode()
    assert "ya verificó este RUC" in html
    assert f'href="/signup/ruc/?ruc={ruc}"' in html
    assert mailoutbox == []
    form = client.get(f"/signup/ruc/?ruc={ruc}")
    assert form.status_code == 200
    assert f'value="{ruc}"' in form.content.decode()
    bad = client.post("/signup/ruc/", {"ruc": ruc, "email": "x", "message": ""})
    assert bad.status_code == 400 and RucDispute.objects.count() == 0
    sent = client.post(
        "/signup/ruc/",
        {
            "ruc": ruc,
            "email": "real@duena.ec",
            "razon_social": "Dueña Real",
            "message": "Es mi RUC; adjunto mi certificado del SRI.",
        },
    )
    assert sent.status_code == 200
    assert "Solicitud recibida" in sent.content.decode()
    dispute = RucDispute.objects.get()
    assert (dispute.ruc, dispute.email, dispute.resolved) == (
        ruc,
        "real@duena.ec",
        False,
    )


def test_disputes_are_for_platform_staff_only(client, business, owner):
    RucDispute.objects.create(
        ruc=business.ruc, email="a@b.ec", razon_social="X", message="mío"
    )
    client.force_login(owner)
    assert client.get("/admin/tenancy/rucdispute/").status_code == 403
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/tenancy/rucdispute/")
    assert listing.status_code == 200
    assert business.ruc in listing.content.decode()


def test_a_ruc_verified_meanwhile_stops_the_link(client, mailoutbox):
    ruc = valid_ruc()
    _signup(client, ruc)
    BusinessFactory(ruc=ruc, ruc_verified_at=timezone.now())
    with system_context():
        before = Business.objects.count()
    response = _confirm(client, mailoutbox)
    assert response.status_code == 400
    assert "verificó este RUC" in response.content.decode()
    with system_context():
        assert Business.objects.count() == before


def test_two_verified_claims_cannot_exist(db):
    ruc = valid_ruc()
    BusinessFactory(ruc=ruc, ruc_verified_at=timezone.now())
    with pytest.raises(IntegrityError):
        BusinessFactory(ruc=ruc, ruc_verified_at=timezone.now())


def test_staff_verify_a_ruc_from_the_business_list(client, business):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        "/admin/tenancy/business/",
        {"action": "ruc_verify", "_selected_action": [business.pk]},
    )
    assert response.status_code == 302
    business.refresh_from_db()
    assert business.ruc_verified


# --- a signing certificate from an accredited authority proves the RUC --------


def _p12(pki, holder_id: str) -> bytes:
    key = _rsa_key(1)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, holder_id),
                    x509.NameAttribute(NameOID.COMMON_NAME, "TITULAR DE PRUEBA"),
                ]
            )
        )
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(pki.ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"firma",
        key,
        cert,
        [pki.ca_cert],
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )


@pytest.fixture
def accredited(settings, tmp_path):
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    pki = pki_make(0)
    path = tmp_path / "accredited.pem"
    path.write_bytes(pki.ca_pem)
    settings.RUC_VERIFY_CA_FILE = str(path)
    return pki


def _upload(business, p12):
    with tenant_context(business):
        certificate_upload(business=business, p12=p12, password=PASSWORD)
    business.refresh_from_db()
    return business.ruc_verified


def test_an_accredited_certificate_for_the_ruc_verifies_it(accredited, business):
    assert _upload(business, _p12(accredited, business.ruc))


def test_a_natural_persons_certificate_carries_the_cedula(accredited, business):
    assert business.ruc.endswith("001")
    assert _upload(business, _p12(accredited, business.ruc[:10]))


def test_a_certificate_for_another_ruc_verifies_nothing(accredited, business):
    # Refused outright since issue 10 (hostile files): it would not sign either.
    with pytest.raises(CertificateInvalidError):
        _upload(business, _p12(accredited, valid_ruc()))
    business.refresh_from_db()
    assert not business.ruc_verified


def test_a_self_made_certificate_verifies_nothing(accredited, business):
    assert not _upload(business, _p12(pki_make(2), business.ruc))


def test_without_accredited_authorities_only_staff_verify(
    accredited, business, settings
):
    settings.RUC_VERIFY_CA_FILE = ""
    assert not _upload(business, _p12(accredited, business.ruc))


def test_the_first_proof_wins(accredited, business):
    squatter = BusinessFactory(ruc=business.ruc)
    assert _upload(business, _p12(accredited, business.ruc))
    assert not _upload(squatter, _p12(accredited, business.ruc))


def test_staff_see_whether_an_account_proved_its_email(client, db):
    from backoffice.tenancy.services import account_email_verify

    person = UserFactory()
    account_email_verify(user=person)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(f"/admin/auth/user/{person.pk}/change/")
    assert page.status_code == 200
    assert "correo verificado" in page.content.decode().lower()


def test_the_sri_export_picks_the_verified_claim_or_refuses(db, tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    from fiscal.management.commands import export_sri

    ruc = valid_ruc()
    BusinessFactory(ruc=ruc)
    BusinessFactory(ruc=ruc)
    with pytest.raises(CommandError, match="verify one first"):
        call_command("export_sri", business=ruc, month="2026-11", out=str(tmp_path))
    real = BusinessFactory(ruc=ruc, ruc_verified_at=timezone.now())
    chosen = []
    monkeypatch.setattr(
        export_sri,
        "month_export",
        lambda *, business, year, month: chosen.append(business) or {},
    )
    call_command("export_sri", business=ruc, month="2026-11", out=str(tmp_path))
    assert chosen == [real]
