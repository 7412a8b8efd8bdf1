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
