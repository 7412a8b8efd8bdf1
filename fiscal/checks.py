"""System checks: the fiscal app cannot sign without its key and SRI schemas.

Both are errors in every `check` once DEBUG is off (runserver, migrate and
gunicorn's `check --deploy` in the release step stop there) and in
`check --deploy` whatever DEBUG says.
"""

from pathlib import Path

from django.conf import settings
from django.core import checks

from . import vault
from .sri import schemas

REQUIRED_SCHEMAS = (schemas.FACTURA_1_1_0, schemas.NOTA_CREDITO_1_1_0)


def _cert_key_errors() -> list[checks.CheckMessage]:
    problem = vault.key_problem()
    if problem is None:
        return []
    if problem == "missing":
        return [
            checks.Error(
                "FISCAL_CERT_KEY is not set: signature certificates cannot be "
                "stored or used (the demo loader and certificate upload fail).",
                hint="Generate a key with: "
                + vault.GENERATE_COMMAND
                + " and set it as FISCAL_CERT_KEY in the environment.",
                id="fiscal.E001",
            )
        ]
    position = problem.split(":")[1]
    return [
        checks.Error(
            f"FISCAL_CERT_KEY: key number {position} is not a valid Fernet key "
            "(32 url-safe base64-encoded bytes; several keys are separated by "
            "commas, the first one encrypts).",
            hint="Generate a key with: " + vault.GENERATE_COMMAND,
            id="fiscal.E002",
        )
    ]


def _schema_errors() -> list[checks.CheckMessage]:
    directory = Path(schemas.xsd_dir())
    if not directory.is_dir():
        return [
            checks.Error(
                f"SRI schema directory {directory} does not exist: every "
                "document (and so every sale) fails its XSD validation.",
                hint="Set SRI_XSD_DIR to a directory holding "
                + ", ".join(REQUIRED_SCHEMAS)
                + ", or unset it to use the schemas shipped with the project.",
                id="fiscal.E003",
            )
        ]
    missing = [name for name in REQUIRED_SCHEMAS if not (directory / name).is_file()]
    if missing:
        return [
            checks.Error(
                f"SRI schema directory {directory} lacks {', '.join(missing)}.",
                hint="Point SRI_XSD_DIR at a directory with the SRI schemas "
                "(factura and notaCredito 1.1.0), or unset it.",
                id="fiscal.E004",
            )
        ]
    return []


def _production_errors() -> list[checks.CheckMessage]:
    return _cert_key_errors() + _schema_errors()


@checks.register()
def check_fiscal_runtime(app_configs=None, **kwargs):
    """An invalid key always; a missing key or schemas once DEBUG is off."""
    if not settings.DEBUG:
        return _production_errors()
    return [e for e in _cert_key_errors() if e.id == "fiscal.E002"]


@checks.register(deploy=True)
def check_fiscal_deploy(app_configs=None, **kwargs):
    """Under --deploy, report what the plain check above left out (DEBUG on)."""
    if not settings.DEBUG:
        return []  # check_fiscal_runtime already reported them
    errors = _production_errors()
    if vault.key_problem() is None and not vault.configured_keys():
        # Only the development key, derived from the dev SECRET_KEY.
        errors.insert(
            0,
            checks.Error(
                "FISCAL_CERT_KEY is not set (development derives a key from the "
                "development SECRET_KEY; production has none).",
                hint="Generate a key with: " + vault.GENERATE_COMMAND,
                id="fiscal.E001",
            ),
        )
    return [e for e in errors if e.id != "fiscal.E002"]
