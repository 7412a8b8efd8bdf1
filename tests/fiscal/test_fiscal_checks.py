"""System checks of the fiscal app: its key and the SRI schemas (issue 9 §3)."""

import pytest
from cryptography.fernet import Fernet

from fiscal import checks
from fiscal.sri import schemas

PROD_SECRET = "a-real-production-secret-key-0123456789abcdefghijklmnop"


def _ids(messages):
    return [m.id for m in messages]


@pytest.fixture
def schema_dir(tmp_path, settings):
    """A schema directory holding the two names fiscal.sri.schemas loads."""
    directory = tmp_path / "xsd"
    directory.mkdir()
    for name in (schemas.FACTURA_1_1_0, schemas.NOTA_CREDITO_1_1_0):
        (directory / name).write_text("<xs:schema/>")
    settings.SRI_XSD_DIR = str(directory)
    return directory


@pytest.fixture
def production(settings, schema_dir):
    settings.DEBUG = False
    settings.SECRET_KEY = PROD_SECRET
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    return settings


def test_configured_production_passes(production):
    assert checks.check_fiscal_runtime() == []
    assert checks.check_fiscal_deploy() == []


def test_missing_key_fails_with_the_command_to_make_one(production):
    production.FISCAL_CERT_KEY = ""
    [error] = checks.check_fiscal_runtime()
    assert error.id == "fiscal.E001"
    assert error.is_serious()
    assert "FISCAL_CERT_KEY is not set" in error.msg
    assert "Fernet.generate_key()" in error.hint


def test_invalid_key_fails_naming_the_bad_one(production):
    good = Fernet.generate_key().decode()
    production.FISCAL_CERT_KEY = f"{good},not-a-key"
    [error] = checks.check_fiscal_runtime()
    assert error.id == "fiscal.E002"
    assert "key number 2 is not a valid Fernet key" in error.msg
    production.FISCAL_CERT_KEY = f"{good}, {Fernet.generate_key().decode()}"
    assert checks.check_fiscal_runtime() == []


def test_invalid_key_fails_even_in_development(settings, schema_dir):
    settings.DEBUG = True
    settings.FISCAL_CERT_KEY = "short"
    assert _ids(checks.check_fiscal_runtime()) == ["fiscal.E002"]
    assert checks.check_fiscal_deploy() == []  # reported once, not twice


def test_development_needs_no_key_but_deploy_says_production_does(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    settings.FISCAL_CERT_KEY = ""
    assert checks.check_fiscal_runtime() == []
    assert "fiscal.E001" in _ids(checks.check_fiscal_deploy())


def test_missing_schema_directory_fails(production, tmp_path):
    production.SRI_XSD_DIR = str(tmp_path / "nowhere")
    [error] = checks.check_fiscal_runtime()
    assert error.id == "fiscal.E003"
    assert "nowhere does not exist" in error.msg
    assert "SRI_XSD_DIR" in error.hint


def test_schema_directory_without_the_factura_schema_fails(production, schema_dir):
    (schema_dir / schemas.FACTURA_1_1_0).unlink()
    [error] = checks.check_fiscal_runtime()
    assert error.id == "fiscal.E004"
    assert schemas.FACTURA_1_1_0 in error.msg
    assert schemas.NOTA_CREDITO_1_1_0 not in error.msg


def test_missing_key_with_a_real_secret_fails_even_in_development(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = PROD_SECRET  # no development key to derive from
    settings.FISCAL_CERT_KEY = ""
    assert _ids(checks.check_fiscal_runtime()) == ["fiscal.E001"]


def test_deploy_reports_missing_schemas_with_debug_on(settings, tmp_path):
    settings.DEBUG = True
    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    settings.SRI_XSD_DIR = str(tmp_path / "nowhere")
    assert checks.check_fiscal_runtime() == []  # development may lack them
    assert _ids(checks.check_fiscal_deploy()) == ["fiscal.E003"]
