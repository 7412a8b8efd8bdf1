"""Spreadsheet formula injection (issue 10): text we export is never a formula.

A customer named `=HYPERLINK("http://x","a")` or `=cmd|' /C calc'!A0` must reach
Excel or LibreOffice as text. Every export path (CSV and xlsx) passes its cells
through `escape_formula`; xlsx writers use `xlsx_value`, which also replaces the
control characters xlsx cannot hold. Numbers stay numbers: `-1.50` (as a number
or as the text of one) is not escaped, `-1+1` is.
"""

import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What spreadsheet programs read as the start of a formula (OWASP "CSV
# injection"), with the full-width forms some of them also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def escape_formula(value):
    """Text that a spreadsheet would run as a formula gets a leading `'`."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value  # "-1.50", "+593": a number written as text
    return "'" + value


def unescape_formula(value):
    """Undo `escape_formula` on import, so an exported file imports unchanged."""
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value[1:].startswith(FORMULA_STARTS)
    ):
        return value[1:]
    return value


def xlsx_value(value):
    """A value for an openpyxl cell: escaped, and without illegal characters."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
        return escape_formula(value)
    return value


def xlsx_row(values) -> list:
    return [xlsx_value(v) for v in values]


__all__ = ["escape_formula", "unescape_formula", "xlsx_row", "xlsx_value"]
