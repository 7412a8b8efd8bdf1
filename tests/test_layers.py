"""The import contracts (.importlinter) hold, and an arrow they forbid fails them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["admin_theme", "backoffice", "core", "fiscal", "fixtures", "pos"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the apps and the contracts, where imports can be planted."""
    ignore = shutil.ignore_patterns("__pycache__", "migrations", "templates", "static")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def plant(tree: Path, module: str, line: str) -> None:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_every_contract(tree):
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # fiscal reading a sale: the arrow issue 13 removed (pos/documents.py).
        (
            "fiscal.services.submission",
            "from pos.models import Sale",
            "fiscal never imports",
        ),
        # the foundation depending on fiscal (tenancy/models.py → fiscal.taxes).
        ("backoffice.tenancy.models", "import fiscal.models", "Apps depend"),
        ("core.calc", "from backoffice.tenancy import models", "core imports none"),
        ("backoffice.inventory.services.ledger", "import fiscal.errors", "Apps depend"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tree, module, line, contract):
    plant(tree, module, line)

    result = lint_imports(tree)

    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if " BROKEN" in row]
    assert any(row.startswith(contract) for row in broken), result.stdout
