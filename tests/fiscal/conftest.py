import shutil

import pytest


@pytest.fixture
def xmlsec1():
    """Path of the xmlsec1 verifier; tests using it carry the `xmlsec` marker."""
    return shutil.which("xmlsec1") or "xmlsec1"


@pytest.fixture
def fake_sri():
    """A running fake SRI SOAP server; yields its FakeSri state object."""
    from .fake_sri import FakeSriServer

    with FakeSriServer() as fake:
        yield fake


@pytest.fixture
def sri_settings(settings, fake_sri):
    """Point the fiscal services at the fake SRI; keep tasks in a dummy queue."""
    from cryptography.fernet import Fernet

    settings.SRI_BASE_URL = fake_sri.base_url
    settings.SRI_TIMEOUT = 2
    settings.SRI_SEND_ENABLED = True
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    return settings


@pytest.fixture
def certified(business, sri_settings):
    """A business (in context) with a throw-away signing certificate uploaded."""
    from backoffice.tenancy.context import tenant_context
    from fiscal.services import certificate_upload

    from .certs import PASSWORD, p12_single, pki_make

    with tenant_context(business):
        certificate_upload(
            business=business,
            p12=p12_single(pki_make(), ruc=business.ruc),
            password=PASSWORD,
        )
        yield business
