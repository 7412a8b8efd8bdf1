"""Regenerate admin_theme/vendor_msgids.py after upgrading a third-party app."""

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import translation

from admin_theme import catalogs

PACKAGES = ("unfold", "simple_history", "import_export")
HEADER = '''# ruff: noqa: E501
"""Strings of unfold, simple-history and import-export that have no Spanish.

Never imported. `make messages` extracts these calls into our catalogs, which
come first (LOCALE_PATHS), so the back office shows them in Spanish. After
upgrading one of those packages, regenerate this list with
`python manage.py vendor_msgids` and translate what is new.
"""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

'''


class Command(BaseCommand):
    help = (
        "List the msgids of unfold, simple-history and import-export that no "
        "installed catalog translates into Spanish (needs GNU gettext)."
    )

    def handle(self, *args, **options):
        import polib

        lines, seen = [], set()
        with tempfile.TemporaryDirectory() as tmp:
            for package in PACKAGES:
                for entry in polib.pofile(str(self._extract(package, Path(tmp)))):
                    key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
                    if entry.msgctxt or key in seen or self._has_spanish(entry):
                        continue
                    seen.add(key)
                    lines.append(self._line(entry, package))
        target = Path(catalogs.__file__).with_name(catalogs.VENDOR_FILE)
        target.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "ruff", "format", str(target)])
        self.stdout.write(f"{target}: {len(lines)} msgids; now run `make messages`")

    def _extract(self, package: str, tmp: Path) -> Path:
        source = Path(importlib.import_module(package).__file__).parent
        copy = tmp / package
        shutil.copytree(
            source, copy, ignore=shutil.ignore_patterns("*.pyc", "locale", "tests")
        )
        (copy / "locale").mkdir()
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        subprocess.run(
            [sys.executable, "-m", "django", "makemessages", "-l", "es"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
        return copy / "locale" / "es" / "LC_MESSAGES" / "django.po"

    @staticmethod
    def _has_spanish(entry) -> bool:
        """Whether Django's or the app's own catalogs (not ours) translate it."""
        with override_settings(LOCALE_PATHS=[]), translation.override("es-ec"):
            if entry.msgid_plural:
                text = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
            else:
                text = translation.gettext(entry.msgid)
        return text != entry.msgid

    @staticmethod
    def _line(entry, package: str) -> str:
        if entry.msgid_plural:
            call = f"ngettext_lazy({entry.msgid!r}, {entry.msgid_plural!r}, 1)"
        else:
            call = f"_({entry.msgid!r})"
        return f"{call}  # {package}"
