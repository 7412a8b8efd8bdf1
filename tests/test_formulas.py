"""Formula injection (issue 10): text we export never runs as a formula — in
every CSV and xlsx export — while numbers stay numbers."""

import codecs
import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from backoffice.formulas import escape_formula, xlsx_value
from tests.catalog.factories import CategoryFactory, CustomerFactory, ProductFactory
from tests.catalog.test_back_office_numbers import stock

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","a")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
]
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_is_escaped(text):
    assert escape_formula(text) == "'" + text
    assert xlsx_value(text).startswith("'")


@pytest.mark.parametrize("value", [Decimal("-1.50"), -3, 2.5, "-1.50", "+593", "Café"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert escape_formula(value) == value


def _export(client, url, fmt) -> bytes:
    response = client.post(reverse(url), {"format": fmt, "resource": "0"})
    assert response.status_code == 200
    return response.content


def _csv_values(data: bytes) -> list[str]:
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def _xlsx_cells(data: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _check(data_csv: bytes, data_xlsx: bytes, names: list[str]):
    values = _csv_values(data_csv)
    for name in names:
        assert name not in values
        assert "'" + name in values
    cells = _xlsx_cells(data_xlsx)
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells}
    for name in names:
        assert "'" + name in texts


def test_product_exports(owner_client, tenant):
    for n, name in enumerate(HOSTILE):
        ProductFactory(code=f"F{n}", name=name, price=Decimal("1"))
    url = "admin:catalog_product_export"
    csv_data = _export(owner_client, url, CSV_FORMAT)
    xlsx_data = _export(owner_client, url, XLSX_FORMAT)
    _check(csv_data, xlsx_data, HOSTILE)
    prices = [c for c in _xlsx_cells(xlsx_data) if c.value == 1]
    assert prices and all(c.data_type == "n" for c in prices)


def test_category_exports(owner_client, tenant):
    for name in HOSTILE:
        CategoryFactory(name=name)
    url = "admin:catalog_category_export"
    _check(
        _export(owner_client, url, CSV_FORMAT),
        _export(owner_client, url, XLSX_FORMAT),
        HOSTILE,
    )


def test_customer_exports(owner_client, tenant):
    for name in HOSTILE:
        CustomerFactory(name=name, email="", address="=1+2")
    url = "admin:customers_customer_export"
    _check(
        _export(owner_client, url, CSV_FORMAT),
        _export(owner_client, url, XLSX_FORMAT),
        [*HOSTILE, "=1+2"],
    )


def test_stock_exports(owner_client, tenant):
    stock(tenant, ProductFactory(code="S1", name="=1+1"), "2")
    url = "admin:inventory_stocklevel_export"
    _check(
        _export(owner_client, url, CSV_FORMAT),
        _export(owner_client, url, XLSX_FORMAT),
        ["=1+1"],
    )


@pytest.mark.parametrize("fmt", [CSV_FORMAT, XLSX_FORMAT])
def test_an_exported_file_imports_back_unchanged(owner_client, tenant, fmt):
    from backoffice.tenancy.importing import FastXLSX, SpreadsheetCSV

    ProductFactory(code="R1", name="-Descuento especial")
    ProductFactory(code="R2", name='=HYPERLINK("http://x","a")')
    data = _export(owner_client, "admin:catalog_product_export", fmt)
    reader = SpreadsheetCSV() if fmt == CSV_FORMAT else FastXLSX()
    dataset = reader.create_dataset(data)
    names = dict(zip(dataset["Código"], dataset["Nombre"], strict=True))
    assert names == {"R1": "-Descuento especial", "R2": '=HYPERLINK("http://x","a")'}
