"""Where the SRI XSD schemas live.

The default is our own schemas, shipped in this package (fiscal/sri/xsd/):
written from the SRI ficha técnica for what SouthernPOS emits (factura and
notaCredito 1.1.0, the ATS). A deployer may validate against the schemas the
SRI publishes instead by pointing SRI_XSD_DIR (setting or environment) at a
directory holding them under their official file names.
"""

import os
from pathlib import Path

OWN_XSD_DIR = Path(__file__).resolve().parent / "xsd"
DEFAULT_XSD_DIR = OWN_XSD_DIR

FACTURA_1_1_0 = "factura_V1.1.0.xsd"
NOTA_CREDITO_1_1_0 = "NotaCredito_V1.1.0.xsd"
ATS = "ats.xsd"


class SchemaNotFound(FileNotFoundError):
    """The SRI XSD directory or one of its files is missing."""


def xsd_dir() -> Path:
    """Return the XSD directory: settings.SRI_XSD_DIR, env SRI_XSD_DIR, or ours."""
    configured = _settings_xsd_dir() or os.environ.get("SRI_XSD_DIR")
    return Path(configured) if configured else DEFAULT_XSD_DIR


def xsd_path(name: str) -> Path:
    """Return the path of one XSD file, raising SchemaNotFound when absent."""
    path = xsd_dir() / name
    if not path.is_file():
        raise SchemaNotFound(f"SRI schema {name} not found in {path.parent}")
    return path


def _settings_xsd_dir() -> str | None:
    # Reading settings must not require Django to be configured: the core is
    # also used from plain scripts (bench/) and model-free tests.
    try:
        from django.conf import settings

        return getattr(settings, "SRI_XSD_DIR", None) if settings.configured else None
    except ImportError:
        return None
