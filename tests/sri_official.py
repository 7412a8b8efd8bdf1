"""Where the tests find the SRI's own files (official XSDs, WSDLs, public samples).

They are never part of the repository: CI keeps them in `../shared/sri` beside
the checkout; elsewhere set SRI_OFFICIAL_DIR (or SRI_OFFICIAL_XSD_DIR for the
schemas alone). Tests that need them are marked `xsd` and skip without them
(CI sets SOUTHERNPOS_STRICT=xsd, which turns that skip into a failure).
Product code uses our own schemas (fiscal/sri/xsd) and never looks here.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OFFICIAL_SRI_DIR = Path(
    os.environ.get("SRI_OFFICIAL_DIR") or REPO_ROOT.parent / "shared" / "sri"
)
OFFICIAL_XSD_DIR = Path(
    os.environ.get("SRI_OFFICIAL_XSD_DIR") or OFFICIAL_SRI_DIR / "xsd"
)
SAMPLES_DIR = OFFICIAL_SRI_DIR / "samples"
WSDL_DIR = OFFICIAL_SRI_DIR / "wsdl"


def official_schemas_missing() -> str | None:
    """The reason the official schemas cannot be used, or None."""
    if not (OFFICIAL_XSD_DIR / "factura_V1.1.0.xsd").is_file():
        return (
            f"needs the official SRI XSD schemas in {OFFICIAL_XSD_DIR} "
            "(set SRI_OFFICIAL_XSD_DIR)"
        )
    return None
