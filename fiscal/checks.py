"""System checks: the fiscal app cannot sign without its key and SRI schemas.

Both are errors in every `check` once DEBUG is off (runserver, migrate and
collectstatic stop there, so a release without them fails early) and in
`check --deploy` whatever DEBUG says. A key the vault cannot use (missing
outside development, or not a Fernet key) is an error even with DEBUG on.
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


@checks.register()
def check_fiscal_runtime(app_configs=None, **kwargs):
    """A key the vault cannot use, always; missing schemas once DEBUG is off."""
    errors = _cert_key_errors()
    if not settings.DEBUG:
        errors += _schema_errors()
    return errors


@checks.register(deploy=True)
def check_fiscal_deploy(app_configs=None, **kwargs):
    """Under --deploy with DEBUG on, what production would lack besides."""
    if not settings.DEBUG:
        return []  # check_fiscal_runtime reported everything
    errors = _schema_errors()
    if not vault.configured_keys() and vault.key_problem() is None:
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
    return errors
