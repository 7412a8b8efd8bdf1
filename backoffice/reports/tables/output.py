"""Totals, screen cells and streamed csv/xlsx exports of a report."""

import csv
import tempfile
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.http import FileResponse
from openpyxl import Workbook

from .base import DATE, INT, MONEY, PCT, QTY, TEXT, Report, safe_text


def totals(report: Report, rows: list[tuple]) -> tuple | None:
    """Sums of the INT and MONEY columns (None when the report has no totals)."""
    if not report.total or not rows:
        return None
    sums = []
    for n, column in enumerate(report.columns):
        if column.kind in (INT, MONEY):
            sums.append(sum((row[n] or 0 for row in rows), 0))
        else:
            sums.append(None)
    return tuple(sums)


def export(report: Report, rows: Iterable[tuple], *, fmt: str, filename: str):
    """Write the rows to a temporary file and stream it (csv or xlsx)."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    header = [str(c.label) for c in report.columns]
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        text.flush()
        text.detach()
        content_type = "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(report.title)[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
        book.save(out)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"{filename}.{fmt}", content_type=content_type
    )


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value)) if isinstance(value, str) else str(value)


def _xlsx_cell(value):
    if isinstance(value, str):
        return safe_text(value)
    return value


def display(value, kind: str) -> str:
    """A cell as shown on screen (es-EC style: thousands with commas, 2 decimals)."""
    if value is None:
        return "—"
    if kind == MONEY:
        return f"{Decimal(value):,.2f}"
    if kind == QTY:
        text = f"{Decimal(value):,.3f}".rstrip("0").rstrip(".")
        return text or "0"
    if kind == PCT:
        return f"{Decimal(value):.1f} %"
    if kind == INT:
        return f"{int(value):,}"
    if kind == DATE and isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def screen_rows(report: Report, rows) -> list[list[tuple[str, bool]]]:
    """Rows as (text, right-aligned) cells."""
    return [
        [
            (display(value, column.kind), column.kind not in (TEXT, DATE))
            for value, column in zip(row, report.columns, strict=True)
        ]
        for row in rows
    ]
