"""Certificates that would break signing are refused (issue 10): an expired one,
one not yet valid, and one issued for another RUC — and the active one stays."""

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.tenancy.context import tenant_context
from fiscal.errors import CertificateInvalidError
from fiscal.models import SigningCertificate
from fiscal.services import certificate_upload
from fiscal.sri.holder import certificate_names_ruc

from .certs import PASSWORD, leaf_make, p12_single, pki_make

pytestmark = pytest.mark.django_db
ADD = "admin:fiscal_signingcertificate_add"


def _active(business):
    with tenant_context(business):
        return list(SigningCertificate.objects.filter(is_active=True))


@pytest.fixture
def valid(business, sri_settings):
    with tenant_context(business):
        return certificate_upload(
            business=business,
            p12=p12_single(pki_make(), ruc=business.ruc),
            password=PASSWORD,
        )


def _post(client, p12: bytes):
    upload = SimpleUploadedFile("firma.p12", p12)
    return client.post(reverse(ADD), {"p12_file": upload, "password": PASSWORD})


def test_an_expired_certificate_is_refused_and_the_valid_one_stays(
    owner_client, business, valid
):
    response = _post(owner_client, p12_single(pki_make(), days=-3, ruc=business.ruc))
    assert response.status_code == 200
    assert "El certificado caducó el" in response.content.decode()
    assert _active(business) == [valid]


def test_another_rucs_certificate_is_refused_and_the_valid_one_stays(
    owner_client, business, other_business, valid
):
    response = _post(owner_client, p12_single(pki_make(), ruc=other_business.ruc))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"no fue emitido para el RUC {business.ruc}" in body
    assert _active(business) == [valid]


def test_the_service_refuses_them_too(business, sri_settings):
    with tenant_context(business), pytest.raises(CertificateInvalidError):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), days=-1, ruc=business.ruc),
            password=PASSWORD,
        )
    assert _active(business) == []


def _with_extension(pki, oid: str, value: bytes, serial: str):
    key, cert = leaf_make(pki)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
            x509.NameAttribute(NameOID.COMMON_NAME, "JUAN PEREZ"),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(cert.issuer)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(cert.not_valid_before_utc)
        .not_valid_after(cert.not_valid_after_utc)
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier(oid), value),
            critical=False,
        )
    )
    return builder.sign(pki.ca_key, hashes.SHA256())


def test_the_ruc_in_an_ecuadorian_extension_or_the_owners_cedula_counts():
    pki = pki_make()
    # Security Data puts the company's RUC in 1.3.6.1.4.1.37746.3.11.
    cert = _with_extension(pki, "1.3.6.1.4.1.37746.3.11", b"\x0c\r0991234567001", "X")
    assert certificate_names_ruc(cert, "0991234567001")
    assert not certificate_names_ruc(cert, "1790012345001")
    # A natural person's RUC is the cédula + 001; the certificate names the cédula.
    cert = _with_extension(pki, "1.3.6.1.4.1.37947.3.1", b"\x0c\n1712345678", "Y")
    assert certificate_names_ruc(cert, "1712345678001")
    assert not certificate_names_ruc(cert, "1712345679001")


def test_a_large_file_is_not_a_certificate(owner_client, business, valid):
    response = _post(owner_client, b"0" * (200 * 1024))
    assert response.status_code == 200
    assert "pesa más de 100 KB" in response.content.decode()
    assert _active(business) == [valid]
