"""FISCAL_CERT_KEY rotation: several keys, the first encrypts, all decrypt."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from backoffice.tenancy.context import system_context, tenant_context
from fiscal import selectors, vault
from fiscal.models import SigningCertificate
from fiscal.selectors import certificate_identity
from fiscal.services import certificate_upload

from .certs import PASSWORD, p12_single, pki_make

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _fresh_identity_cache():
    selectors._identity_load.cache_clear()
    yield
    selectors._identity_load.cache_clear()


def _stored(business):
    with tenant_context(business):
        row = SigningCertificate.objects.get()
    return bytes(row.p12_encrypted), bytes(row.password_encrypted)


def test_first_key_encrypts_and_every_key_decrypts(settings):
    settings.FISCAL_CERT_KEY = OLD
    token = vault.encrypt(b"secreto")
    settings.FISCAL_CERT_KEY = f"{NEW},{OLD}"
    assert vault.decrypt(token) == b"secreto"
    fresh = vault.encrypt(b"nuevo")
    assert Fernet(NEW).decrypt(fresh) == b"nuevo"  # the first key encrypted it
    settings.FISCAL_CERT_KEY = NEW
    with pytest.raises(ImproperlyConfigured, match="FISCAL_CERT_KEY"):
        vault.decrypt(token)


def test_rotation_command_re_encrypts_every_business_with_the_first_key(
    business, other_business, settings
):
    settings.FISCAL_CERT_KEY = OLD
    for tenant in (business, other_business):
        with tenant_context(tenant):
            certificate_upload(
                business=tenant,
                p12=p12_single(pki_make(), ruc=tenant.ruc),
                password=PASSWORD,
            )
    before = _stored(business)
    settings.FISCAL_CERT_KEY = f"{NEW},{OLD}"
    call_command("fiscal_rotate_key", stdout=(out := io.StringIO()))
    assert "2 certificate(s) re-encrypted" in out.getvalue()
    after = _stored(business)
    assert after != before
    Fernet(NEW).decrypt(after[0])  # now readable with the new key alone
    settings.FISCAL_CERT_KEY = NEW
    for tenant in (business, other_business):
        with tenant_context(tenant):
            assert certificate_identity(business=tenant).certificate is not None


def test_rotation_without_the_old_key_changes_nothing(business, settings):
    settings.FISCAL_CERT_KEY = OLD
    with tenant_context(business):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), ruc=business.ruc),
            password=PASSWORD,
        )
    before = _stored(business)
    settings.FISCAL_CERT_KEY = NEW  # the old key forgotten: cannot decrypt
    with pytest.raises(ImproperlyConfigured), system_context():
        call_command("fiscal_rotate_key")
    assert _stored(business) == before
