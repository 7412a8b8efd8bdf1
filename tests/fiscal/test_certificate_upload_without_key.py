"""Certificate upload on a server without FISCAL_CERT_KEY: a form error, not a 500."""

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.tenancy.context import system_context
from fiscal.models import SigningCertificate

from .certs import PASSWORD, p12_single, pki_make

pytestmark = pytest.mark.django_db
URL = "admin:fiscal_signingcertificate_add"


def _stored() -> int:
    with system_context():  # under row-level security, all businesses
        return SigningCertificate.unscoped_objects.count()


def _upload(client, ruc):
    upload = SimpleUploadedFile("firma.p12", p12_single(pki_make(), ruc=ruc))
    return client.post(reverse(URL), {"p12_file": upload, "password": PASSWORD})


@pytest.mark.parametrize("key", ["", "not-a-fernet-key"])
def test_upload_without_a_usable_key_shows_a_form_error(
    client, owner, business, settings, key
):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-production-secret-key-0123456789abcdefghijklm"
    settings.FISCAL_CERT_KEY = key
    client.force_login(owner)  # after the key change, which ends sessions
    response = _upload(client, business.ruc)
    assert response.status_code == 200
    body = response.content.decode()
    assert "clave de cifrado de certificados (FISCAL_CERT_KEY)" in body
    assert "su certificado no se guardó" in body
    assert _stored() == 0


def test_upload_with_a_key_is_stored(owner_client, business, settings):
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    assert _upload(owner_client, business.ruc).status_code == 302
    assert _stored() == 1
