"""Hostile spreadsheets (issue 10): a file never chooses our memory, time or pages.

The hostile files are built here, never committed. The memory bomb is read in a
child process with its address space capped at 1 GB: a regression fails the
test (the child dies) instead of exhausting the machine.
"""

import io
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.db import DatabaseError
from django.urls import reverse

from backoffice.catalog.models import Product
from backoffice.tenancy import importing
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.importing import (
    FastXLSX,
    ImportTempStorage,
    SpreadsheetCSV,
    SpreadsheetRefused,
)
from tests.catalog.test_product_import import _confirm_data

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:catalog_product_import")
PROCESS = reverse("admin:catalog_product_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = "Código,Nombre,Precio,IVA\n"


def far_cell_xlsx() -> bytes:
    """1.5 KB: A1:C1 and XFD1048576 — a 1048576 x 16384 rectangle for calamine."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Código", "Nombre", "Precio"])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def small_xlsx(rows=(("A1", "Uno", 1, 15),)) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Código", "Nombre", "Precio", "IVA"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb_xlsx(unzipped_mb: int = 60) -> bytes:
    """A valid xlsx plus one member of zeros that unzips to `unzipped_mb` MB."""
    buffer = io.BytesIO(small_xlsx())
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/media/pad.xml", "w") as member,
    ):
        for _ in range(unzipped_mb):
            member.write(b" " * (1024 * 1024))
    return buffer.getvalue()


def post_import(client, data: bytes, fmt=CSV_FORMAT, name="productos.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    response = client.post(
        IMPORT, {"format": fmt, "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    return response.content.decode()


def import_files() -> set[str]:
    pattern = ImportTempStorage.prefix + "*"
    return {p.name for p in Path(tempfile.gettempdir()).glob(pattern)}


# -- memory: the far-cell xlsx and the zip bomb -----------------------------------
CHILD = textwrap.dedent(
    """
    import os, resource, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    import django
    django.setup()
    from backoffice.tenancy.importing import FastXLSX, SpreadsheetRefused
    data = open(sys.argv[1], "rb").read()
    cap = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        FastXLSX().create_dataset(data)
    except SpreadsheetRefused as e:
        print("REFUSED", e)
    else:
        print("READ")
    """
)


def test_a_far_away_cell_is_refused_before_calamine_allocates(tmp_path):
    data = far_cell_xlsx()
    assert len(data) < 10_000
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_DEBUG": "1"},
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.startswith("REFUSED"), child.stdout
    assert "filas" in child.stdout


def test_too_many_columns_in_an_xlsx_are_refused():
    book = openpyxl.Workbook()
    book.active.append([f"c{i}" for i in range(101)])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SpreadsheetRefused, match="más de 100 columnas"):
        FastXLSX().create_dataset(buffer.getvalue())


def test_a_zip_bomb_is_refused_from_its_declared_sizes(monkeypatch):
    data = zip_bomb_xlsx(60)
    assert len(data) < 1024 * 1024
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: read.append(a) or b"")
    with pytest.raises(SpreadsheetRefused, match="descomprimido ocupa más de 50 MB"):
        importing.check_xlsx(data)
    assert read == []  # refused before unzipping a single member


def test_a_member_lying_about_its_size_is_refused():
    data = bytearray(zip_bomb_xlsx(2))
    book = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = book.getinfo("xl/media/pad.xml")
    # Declare 1 KB in the central directory: zipfile stops there, the CRC fails.
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(b"xl/media/pad.xml"))
    data[central + 24 : central + 28] = (1024).to_bytes(4, "little")
    assert info.file_size == 2 * 1024 * 1024
    with pytest.raises(SpreadsheetRefused, match="no es un libro de Excel"):
        importing.check_xlsx(bytes(data))


def test_an_ods_or_xls_sent_as_xlsx_is_refused():
    with pytest.raises(SpreadsheetRefused):
        FastXLSX().create_dataset(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(SpreadsheetRefused):
        FastXLSX().create_dataset(buffer.getvalue())


def test_the_admin_shows_the_zip_bomb_refusal(owner_client, business):
    page = post_import(owner_client, zip_bomb_xlsx(60), XLSX_FORMAT, "p.xlsx")
    assert "descomprimido ocupa más de 50 MB" in page
    assert "Traceback" not in page


# -- size, rows, columns ------------------------------------------------------------
def test_an_upload_over_5_mb_is_refused_with_a_form_error(owner_client, business):
    data = (HEADER + "A1,Uno,1,15\n").encode() + b"#" * (5 * 1024 * 1024)
    page = post_import(owner_client, data)
    assert "El archivo pesa más de 5 MB" in page


def test_more_rows_than_the_cap_are_refused(owner_client, business, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = "".join(f"P{i},Producto {i},1,15\n" for i in range(51))
    page = post_import(owner_client, (HEADER + rows).encode())
    assert "El archivo tiene más de 50 filas" in page
    with tenant_context(business):
        assert not Product.objects.exists()


def test_the_default_row_cap_is_ten_thousand():
    rows = "".join(f"P{i},x,1,15\n" for i in range(10_001))
    with pytest.raises(SpreadsheetRefused, match="más de 10.000 filas"):
        SpreadsheetCSV().create_dataset((HEADER + rows).encode())
    fits = HEADER + rows[: rows.rindex("P")]
    dataset = SpreadsheetCSV().create_dataset(fits.encode())
    assert len(dataset) == 10_000


def test_a_20000_column_csv_gets_a_clean_error(owner_client, business):
    data = (",".join(f"c{i}" for i in range(20_000)) + "\n").encode()
    page = post_import(owner_client, data)
    assert "El archivo tiene más de 100 columnas." in page
    assert "Traceback" not in page and "site-packages" not in page


# -- NUL and errors without tracebacks -------------------------------------------------
def test_a_nul_in_a_cell_is_stripped_and_imports(owner_client, business):
    page = post_import(owner_client, (HEADER + "A1,Un\x00o,1.00,15\n").encode())
    assert "Traceback" not in page
    response = owner_client.post(PROCESS, _confirm_data(page))
    assert response.status_code == 302
    with tenant_context(business):
        assert Product.objects.get(code="A1").name == "Uno"


def test_a_database_error_shows_one_sentence_not_a_traceback(
    owner_client, business, monkeypatch
):
    def fail(*args, **kwargs):
        raise DatabaseError('/srv/app/x.py: relation "catalog_product" is broken')

    monkeypatch.setattr(importing.bulk, "insert_rows", fail)
    page = post_import(owner_client, (HEADER + "A1,Uno,1.00,15\n").encode())
    assert "No se pudo importar el archivo" in page
    assert "Traceback" not in page
    assert "/srv/app" not in page and "catalog_product" not in page


# -- temporary files ----------------------------------------------------------------
@pytest.fixture
def own_tempdir(monkeypatch, tmp_path):
    """The import's temporary files in this test's own directory: the suite's
    other workers import files into the shared one at the same time."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_a_preview_with_errors_leaves_no_temporary_file(
    owner_client, business, own_tempdir
):
    before = import_files()
    page = post_import(owner_client, (HEADER + "A2,Dos,1,99\n").encode())
    assert "IVA desconocido" in page
    assert import_files() == before


def test_a_confirmed_import_removes_its_temporary_file(
    owner_client, business, own_tempdir
):
    before = import_files()
    page = post_import(owner_client, (HEADER + "A1,Uno,1.00,15\n").encode())
    name = _confirm_data(page)["import_file_name"]
    assert name.startswith(ImportTempStorage.prefix)
    assert name in import_files()
    owner_client.post(PROCESS, _confirm_data(page))
    assert import_files() == before


def test_the_confirm_form_cannot_name_another_temporary_file(owner_client, business):
    page = post_import(owner_client, (HEADER + "A1,Uno,1.00,15\n").encode())
    data = _confirm_data(page)
    victim = Path(tempfile.gettempdir()) / "not-an-import.csv"
    victim.write_text(HEADER + "Z9,Robado,1,15\n")
    try:
        response = owner_client.post(PROCESS, {**data, "import_file_name": victim.name})
        assert response.status_code == 400
        assert victim.exists()
    finally:
        victim.unlink()
        ImportTempStorage.discard(data["import_file_name"])
    with tenant_context(business):
        assert not Product.objects.filter(code="Z9").exists()


def test_abandoned_temporary_files_are_swept_after_an_hour(owner_client, business):
    old = Path(tempfile.gettempdir()) / (ImportTempStorage.prefix + "abandoned")
    old.write_bytes(b"x")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    page = post_import(owner_client, (HEADER + "A1,Uno,1.00,15\n").encode())
    assert not old.exists()
    ImportTempStorage.discard(_confirm_data(page)["import_file_name"])


def test_a_100_mb_request_is_refused_before_it_is_read(owner_client, business):
    body = io.BytesIO(b"x" * 1024)
    response = owner_client.generic(
        "POST",
        IMPORT,
        body.read(),
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "pesa más de 10 MB" in response.content.decode()


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO(small_xlsx())
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            book.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "cells",
    [
        b'<row r="1"><c r="A1"/></row><row r="1048576"><c><v>1</v></c></row>',
        b'<row r="1"><c r="A1"/><c r="&#88;FD1"><v>1</v></c></row>',
        b'<row><c x=" r=\'A1\'" r="XFD1048576"><v>1</v></c></row>',
        b'<row r="1"><c r="A1"/>' + b"<c><v>1</v></c>" * 200 + b"</row>",
    ],
    ids=["cell-without-r", "character-reference", "r-inside-a-value", "no-r"],
)
def test_sheets_hiding_their_far_cells_are_refused(cells):
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main"><sheetData>' + cells + b"</sheetData></worksheet>"
    )
    with pytest.raises(SpreadsheetRefused, match="más de"):
        importing.check_xlsx(xlsx_with_sheet(sheet))
