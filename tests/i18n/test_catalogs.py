"""Our es and en catalogs: complete, compiled, and in step with the code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from admin_theme import catalogs

LANGS = list(catalogs.LANGUAGES)
# What `make messages` skips (Makefile), besides dot-directories.
NOT_CODE = {"tests", "bench", "staticfiles", "media", "locale", "docs", "__pycache__"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sdf]|\{\}")


def _po(lang):
    return polib.pofile(str(catalogs.po_path(lang)))


@pytest.mark.parametrize("lang", LANGS)
def test_no_msgid_is_left_untranslated(lang):
    missing = [entry.msgid for entry in catalogs.untranslated(_po(lang))]
    assert missing == [], f"{lang}: translate in locale/{lang}/…/django.po: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogs_are_not_trivially_small(lang):
    po = _po(lang)
    assert len([e for e in po if not e.obsolete]) > 600
    assert any(catalogs.is_source_language(e, "en") for e in po)  # vendor strings


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_their_placeholders(lang):
    wrong = []
    for entry in _po(lang):
        if entry.obsolete:
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if i == 0 else entry.msgid_plural, text)
                for i, text in entry.msgstr_plural.items()
            ]
        for source, text in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((source, text))
    assert wrong == []


@pytest.mark.parametrize("lang", LANGS)
def test_committed_mo_matches_the_po(lang):
    """`make messages` (or `manage.py compile_catalogs`) was run after editing."""
    po_file = catalogs.po_path(lang)
    mo = polib.mofile(str(po_file.with_suffix(".mo")))
    assert catalogs.compiled_messages(mo) == catalogs.compiled_messages(_po(lang))


def test_project_catalog_wins_over_the_apps():
    with translation.override("es-ec"):
        assert translation.gettext("Filters") == "Filtros"
        assert translation.gettext("Search apps and models...") == "Buscar en el menú…"
        assert translation.gettext("Changed by") == "Modificado por"
        assert translation.gettext("Ventas") == "Ventas"
    with translation.override("en"):
        assert translation.gettext("Ventas") == "Sales"
        assert translation.gettext("Filters") == "Filters"
        assert translation.ngettext(
            "Tiene %(n)s invitación pendiente.",
            "Tiene %(n)s invitaciones pendientes.",
            2,
        ) == ("You have %(n)s pending invitations.")


def _gettext_missing():
    if shutil.which("xgettext") and shutil.which("msgmerge"):
        return False
    if os.environ.get("CI"):
        pytest.fail("CI needs GNU gettext (apt-get install gettext)")
    return True


def test_catalogs_hold_every_string_of_the_code(tmp_path):
    """A string added to the code without `make messages` fails here."""
    if _gettext_missing():
        pytest.skip("needs GNU gettext (apt-get install gettext)")
    base = Path(settings.BASE_DIR)
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    for source in base.iterdir():
        if source.is_dir() and source.name[0] != "." and source.name not in NOT_CODE:
            ignore = shutil.ignore_patterns("*.pyc")
            shutil.copytree(source, tmp_path / source.name, ignore=ignore)
    (tmp_path / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "es",
            "--add-location=file",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings"},
    )
    fresh = polib.pofile(str(tmp_path / "locale/es/LC_MESSAGES/django.po"))
    committed = {(e.msgctxt, e.msgid) for e in _po("es") if not e.obsolete}
    new = sorted(m for _ctx, m in {(e.msgctxt, e.msgid) for e in fresh} - committed)
    assert new == [], f"run `make messages` and translate: {new}"
