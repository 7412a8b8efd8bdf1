"""No module over 400 lines (STYLE.md; issue 13 §5), tests and benchmarks too:
a module that grows past it is split along its own sections."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400


def python_files() -> list[Path]:
    """The repository's own Python files (git's view: no .venv, no build
    output), migrations excepted (generated)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # a copy without git
        listed = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*.py")
            if not {".venv", "node_modules"} & set(p.relative_to(ROOT).parts)
        ]
    return [
        ROOT / name
        for name in listed
        if "migrations" not in Path(name).parts and (ROOT / name).exists()
    ]


def test_the_repository_has_its_modules():
    names = {p.relative_to(ROOT).as_posix() for p in python_files()}
    assert {"pos/services/checkout.py", "core/bulk.py", "manage.py"} <= names
    assert not any("/migrations/" in name for name in names)


def test_no_module_is_over_400_lines():
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in python_files()
    }
    over = {name: n for name, n in sizes.items() if n > LIMIT}
    assert over == {}, f"split these along their sections: {over}"
