"""Hostile files: row and column limits, text decoding, CSV checks."""

import codecs
import csv
import unicodedata
from io import StringIO

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV

from backoffice.formulas import escape_formula, unescape_formula

# Hostile files (issue 10): a file never chooses how much memory or time we
# spend. 10,000 rows import in under 10 s (BENCHMARKS.md), well inside the
# web timeout; an xlsx unzips to at most 50 MB before anything reads it.
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_COLUMNS = 100
MAX_IMPORT_FILE_SIZE = 5 * 1024 * 1024
MAX_XLSX_UNZIPPED_SIZE = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
TRUE_WORDS = {"si", "sí", "s", "x", "1", "true", "verdadero", "yes"}
FALSE_WORDS = {"no", "n", "0", "false", "falso"}


class SpreadsheetRefused(ValueError):
    """A file we will not read; the message is for the person who sent it."""


def setting_limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_rows() -> int:
    return setting_limit("IMPORT_MAX_ROWS", MAX_IMPORT_ROWS)


def max_columns() -> int:
    return setting_limit("IMPORT_MAX_COLUMNS", MAX_IMPORT_COLUMNS)


def too_many_rows() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _(
            "El archivo tiene más de %(n)s filas. Divídalo en archivos más "
            "pequeños e impórtelos uno por uno."
        )
        % {"n": f"{max_rows():,}".replace(",", ".")}
    )


def too_many_columns() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        _("El archivo tiene más de %(n)s columnas.") % {"n": max_columns()}
    )


def normalise(value) -> str:
    """Lower-case, trimmed, without accents: for matching names typed by people."""
    text = unicodedata.normalize("NFKD", str(value or "").strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def cell_text(value) -> str:
    """A cell as text; whole numbers read from xlsx lose their trailing '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def decode_text(data: bytes) -> str:
    """A text file as Excel and other programs save it: UTF-8 (with or
    without BOM), UTF-16 (Excel's "Unicode" CSV/text) or Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    head = data[:200]
    if len(head) > 1 and head.count(0) * 3 > len(head):  # UTF-16 without a BOM
        return data.decode("utf-16-le" if head[1] == 0 else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows in Spanish; latin-1 maps the 5 bytes it lacks.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel with a decimal comma) or tab (Unicode text)."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count) if header else ","


class SpreadsheetCSV(CSV):
    """CSV as Excel reads and writes it.

    Read as bytes (the admin's fixed encoding would refuse Latin-1 and UTF-16
    files) and decoded here; written as UTF-8 with a BOM, without which Excel
    shows "CÃ³digo" for "Código".
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = in_stream if isinstance(in_stream, str) else decode_text(in_stream)
        # NUL cannot be stored in PostgreSQL text and no one types it.
        text = text.removeprefix("\ufeff").replace("\x00", "")
        dataset = tablib.Dataset()
        if text.strip():
            delimiter = sniff_delimiter(text)
            check_csv_extent(text, delimiter)
            dataset.load(text, format="csv", delimiter=delimiter)
            # A file we exported comes back as it was ('=x -> =x).
            unescaped = tablib.Dataset(headers=dataset.headers)
            for row in dataset:
                unescaped.append([unescape_formula(value) for value in row])
            return unescaped
        return dataset

    def export_data(self, dataset, **kwargs):
        headers = [escape_formula(h) for h in dataset.headers or []]
        safe = tablib.Dataset(headers=headers)
        for row in dataset:
            safe.append([escape_formula(value) for value in row])
        return codecs.BOM_UTF8 + super().export_data(safe, **kwargs).encode("utf-8")


def check_csv_extent(text: str, delimiter: str) -> None:
    """Refuse a CSV with too many rows or columns, reading it row by row."""
    rows = 0
    try:
        for row in csv.reader(StringIO(text), delimiter=delimiter):
            rows += 1
            if len(row) > max_columns():
                raise too_many_columns()
            if rows > max_rows() + 1:  # + the header row
                raise too_many_rows()
    except csv.Error as e:
        raise SpreadsheetRefused(
            _("El archivo CSV está dañado (fila %(n)s).") % {"n": rows + 1}
        ) from e
