import shutil

import pytest

from fiscal.sri import schemas


@pytest.fixture
def require_schemas():
    """Skip when the official SRI XSDs are not available on this machine."""
    try:
        schemas.xsd_path(schemas.FACTURA_1_1_0)
    except schemas.SchemaNotFound as exc:
        pytest.skip(f"SRI XSDs not available ({exc}); set SRI_XSD_DIR")


@pytest.fixture
def xmlsec1():
    path = shutil.which("xmlsec1")
    if path is None:
        pytest.skip("xmlsec1 not installed (apt-get install xmlsec1); CI installs it")
    return path


@pytest.fixture
def fake_sri():
    """A running fake SRI SOAP server; yields its FakeSri state object."""
    from .fake_sri import FakeSriServer

    with FakeSriServer() as fake:
        yield fake
