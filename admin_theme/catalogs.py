"""Our gettext catalogs (locale/<lang>/LC_MESSAGES/django.po and .mo).

Our msgids are Spanish (STYLE.md: Spanish first); the third-party msgids listed
in `vendor_msgids.py` are English. Each catalog's source-language side is
filled in by copying the msgid, so a translator only writes the other side,
and the .mo files are compiled with polib: neither a fresh clone nor CI needs
GNU gettext to run the project (only `make messages` does, to extract).
"""

from pathlib import Path

from django.conf import settings

LANGUAGES = ("es", "en")
DOMAINS = ("django",)
VENDOR_FILE = "vendor_msgids.py"


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(lang: str, domain: str = "django") -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{domain}.po"


def _from_vendor(path: str) -> bool:
    return path.endswith(VENDOR_FILE)


def is_source_language(entry, lang: str) -> bool:
    """Whether `lang` is a language this msgid is written in.

    Our code writes Spanish, vendor_msgids.py lists English; a msgid both use
    ("No") is written in both.
    """
    paths = [path for path, _line in entry.occurrences]
    if lang == "es":
        return any(not _from_vendor(p) for p in paths)
    return any(_from_vendor(p) for p in paths)


def fill_source_language(po, lang: str) -> int:
    """Copy msgid into the empty msgstr of entries written in `lang` itself."""
    filled = 0
    for entry in po:
        if entry.obsolete or not is_source_language(entry, lang):
            continue
        if entry.msgid_plural:
            nplurals = len(entry.msgstr_plural) or 2
            if not any(entry.msgstr_plural.values()):
                entry.msgstr_plural = {
                    i: entry.msgid if i == 0 else entry.msgid_plural
                    for i in range(nplurals)
                }
                filled += 1
        elif not entry.msgstr:
            entry.msgstr = entry.msgid
            filled += 1
    return filled


def set_header(po, lang: str) -> None:
    po.metadata["Language"] = lang
    po.metadata["Project-Id-Version"] = "SouthernPOS"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata_is_fuzzy = False


def untranslated(po) -> list:
    """Entries that would show their msgid: empty, partly empty or fuzzy."""
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            empty = not entry.msgstr_plural or not all(entry.msgstr_plural.values())
        else:
            empty = not entry.msgstr
        if empty or entry.fuzzy:
            missing.append(entry)
    return missing


def compiled_messages(catalog) -> dict:
    """What gettext will look up: {(context, msgid): translation(s)}."""
    messages = {}
    for entry in catalog:
        if entry.obsolete or getattr(entry, "fuzzy", False) or not entry.msgid:
            continue
        if entry.msgid_plural:
            value = tuple(v for _k, v in sorted(entry.msgstr_plural.items()))
            if not all(value):
                continue
        elif entry.msgstr:
            value = entry.msgstr
        else:
            continue
        messages[(entry.msgctxt, entry.msgid)] = value
    return messages


def compile_catalog(lang: str, domain: str = "django") -> Path:
    import polib

    source = po_path(lang, domain)
    po = polib.pofile(str(source), wrapwidth=79)
    fill_source_language(po, lang)
    set_header(po, lang)
    po.save(str(source))
    target = source.with_suffix(".mo")
    po.save_as_mofile(str(target))
    return target
