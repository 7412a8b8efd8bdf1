import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from backoffice.tenancy.context import tenant_context
from fiscal.errors import (
    CertificateInvalidError,
    CertificateKeyMissingError,
    CertificateMissingError,
)
from fiscal.models import SigningCertificate
from fiscal.selectors import (
    certificate_active,
    certificate_days_left,
    certificate_expires_soon,
    certificate_identity,
)
from fiscal.services import certificate_upload

from .certs import PASSWORD, p12_single, pki_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(settings):
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    return settings.FISCAL_CERT_KEY


def test_upload_stores_file_and_password_encrypted(tenant, key):
    p12 = p12_single(pki_make(), ruc=tenant.ruc)
    cert = certificate_upload(business=tenant, p12=p12, password=PASSWORD)
    stored = SigningCertificate.objects.get(pk=cert.pk)
    assert bytes(stored.p12_encrypted) != p12
    assert PASSWORD.encode() not in bytes(stored.password_encrypted)
    assert PASSWORD not in repr(stored.__dict__)
    assert stored.subject == "COMERCIAL ANDINA S.A."
    identity = certificate_identity(business=tenant)
    assert identity.certificate.serial_number == int(stored.serial_number)


def test_changed_key_cannot_decrypt(tenant, key, settings):
    certificate_upload(
        business=tenant, p12=p12_single(pki_make(), ruc=tenant.ruc), password=PASSWORD
    )
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    with pytest.raises(ImproperlyConfigured, match="FISCAL_CERT_KEY"):
        certificate_identity(business=tenant)


def test_production_refuses_to_store_without_a_key(tenant, settings):
    settings.FISCAL_CERT_KEY = ""
    settings.SECRET_KEY = "a-real-production-secret-key-0123456789abcdef"
    with pytest.raises(CertificateKeyMissingError, match="FISCAL_CERT_KEY"):
        certificate_upload(
            business=tenant,
            p12=p12_single(pki_make(), ruc=tenant.ruc),
            password=PASSWORD,
        )
    assert not SigningCertificate.objects.exists()


def test_wrong_password_is_refused_and_nothing_stored(tenant, key):
    with pytest.raises(CertificateInvalidError):
        certificate_upload(
            business=tenant, p12=p12_single(pki_make(), ruc=tenant.ruc), password="x"
        )
    assert not SigningCertificate.objects.exists()


def test_new_upload_replaces_the_active_certificate(tenant, key):
    first = certificate_upload(
        business=tenant, p12=p12_single(pki_make(), ruc=tenant.ruc), password=PASSWORD
    )
    second = certificate_upload(
        business=tenant,
        p12=p12_single(pki_make(), days=700, ruc=tenant.ruc),
        password=PASSWORD,
    )
    first.refresh_from_db()
    assert not first.is_active
    assert certificate_active(business=tenant) == second


@pytest.mark.parametrize(("days", "warn"), [(20, True), (31, False), (365, False)])
def test_expiry_warning_30_days_ahead(tenant, key, days, warn):
    cert = certificate_upload(
        business=tenant,
        p12=p12_single(pki_make(), days=days, ruc=tenant.ruc),
        password=PASSWORD,
    )
    assert certificate_expires_soon(cert) is warn
    assert certificate_days_left(cert) in (days - 1, days)


def test_missing_certificate_raises(tenant, key):
    with pytest.raises(CertificateMissingError):
        certificate_identity(business=tenant)


def test_certificates_are_scoped_per_business(business, other_business, key):
    with tenant_context(business):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), ruc=business.ruc),
            password=PASSWORD,
        )
    with tenant_context(other_business):
        assert certificate_active(business=other_business) is None
        assert not SigningCertificate.objects.exists()


def test_dashboard_warning_for_missing_expiring_and_valid(tenant, key):
    from fiscal.selectors import certificate_warning

    assert "Suba su certificado" in certificate_warning(business=tenant)
    certificate_upload(
        business=tenant,
        p12=p12_single(pki_make(), days=12, ruc=tenant.ruc),
        password=PASSWORD,
    )
    assert "caduca en" in certificate_warning(business=tenant)
    certificate_upload(
        business=tenant, p12=p12_single(pki_make(), ruc=tenant.ruc), password=PASSWORD
    )
    assert certificate_warning(business=tenant) is None
