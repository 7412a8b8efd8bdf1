"""Spreadsheet files as Excel makes them: preview, errors, BOM, numbers, encodings."""

import codecs
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html

from backoffice.catalog.models import Product
from backoffice.catalog.resources import ProductResource
from backoffice.customers.models import Customer
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.importing import SpreadsheetCSV, decode_text
from core.taxes import TaxCategory
from tests.catalog.factories import ProductFactory
from tests.catalog.test_back_office_numbers import stock
from tests.catalog.test_product_import import _confirm_data, errors_by_row

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:catalog_product_import")
PROCESS = reverse("admin:catalog_product_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"


def upload(data: bytes, name="productos.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def preview(client, data: bytes, url=IMPORT):
    response = client.post(
        url, {"format": CSV_FORMAT, "resource": "0", "import_file": upload(data)}
    )
    assert response.status_code == 200
    return response.content.decode()


def preview_table(page: str) -> list[dict]:
    """The preview's rows as {column: text}."""
    tree = html.fromstring(page)
    [table] = tree.xpath("//table[.//th[normalize-space()='Precio']]")
    headers = [" ".join(th.text_content().split()) for th in table.iter("th")]
    rows = []
    for tr in table.find("tbody").iter("tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.iter("td")]
        rows.append(dict(zip(headers[-len(cells) :], cells, strict=False)))
    return rows


def test_the_preview_shows_the_price_as_typed(owner_client, business):
    page = preview(owner_client, "Código,Nombre,Precio,IVA\nA1,Uno,1.15,15\n".encode())
    [row] = preview_table(page)
    assert row["Precio"] == "1.15"
    assert row["Nombre"] == "Uno"


def test_a_bad_iva_is_the_only_error_of_its_row(owner_client, tenant):
    data = tablib.Dataset(
        ["A2", "Dos", "1", "99"], headers=["Código", "Nombre", "Precio", "IVA"]
    )
    result = ProductResource().import_data(data, dry_run=True)
    [invalid] = result.invalid_rows
    assert invalid.error_dict == {"IVA": ["IVA desconocido: 99"]}
    assert errors_by_row(result) == {1: "IVA desconocido: 99"}


def test_the_admin_preview_shows_one_error_for_a_bad_row(owner_client, business):
    page = preview(owner_client, "Código,Nombre,Precio,IVA\nA2,Dos,1,99\n".encode())
    text = " ".join(html.fromstring(page).text_content().split())
    assert "IVA desconocido: 99" in text
    assert "nulo" not in text and "Precio:" not in text


def export(client, fmt, url="admin:catalog_product_export"):
    response = client.post(reverse(url), {"format": fmt, "resource": "0"})
    assert response.status_code == 200
    return response.content


def test_csv_export_starts_with_a_utf8_bom(owner_client, tenant):
    ProductFactory(code="P1", name="Piña", price=Decimal("1"), price_includes_tax=False)
    data = export(owner_client, CSV_FORMAT)
    assert data.startswith(codecs.BOM_UTF8)
    text = data[3:].decode("utf-8")
    assert text.startswith("Código,Código de barras,Nombre")
    assert "Piña" in text
    customers = export(owner_client, CSV_FORMAT, "admin:customers_customer_export")
    assert customers.startswith(codecs.BOM_UTF8)


def test_xlsx_export_writes_numbers_as_numbers(owner_client, tenant):
    ProductFactory(
        code="0012",
        name="Queso",
        unit="kg",
        price=Decimal("4.130435"),
        price_includes_tax=True,
        tax_category=TaxCategory.IVA_15,
        cost=Decimal("2.5"),
        low_stock_threshold=Decimal("1.5"),
    )
    book = openpyxl.load_workbook(io.BytesIO(export(owner_client, XLSX_FORMAT)))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, sheet[2], strict=True))

    assert row["Código"].value == "0012" and row["Código"].data_type == "s"
    assert row["Precio"].data_type == "n" and row["Precio"].value == 4.75
    assert row["Precio"].number_format == "0.00"
    assert row["Costo"].data_type == "n" and row["Costo"].value == 2.5
    assert row["Costo"].number_format == "0.00"
    assert row["Stock mínimo"].data_type == "n" and row["Stock mínimo"].value == 1.5


def test_stock_exports_write_numbers_too(owner_client, tenant):
    stock(tenant, ProductFactory(code="0007", unit="kg"), "0.75")
    data = export(owner_client, XLSX_FORMAT, "admin:inventory_stocklevel_export")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    row = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))
    assert row["Código"].value == "0007"
    assert row["Cantidad"].data_type == "n" and row["Cantidad"].value == 0.75


def import_file(client, data: bytes, business):
    page = preview(client, data)
    assert "process_import" in page  # no errors: the confirm step is offered
    done = client.post(PROCESS, _confirm_data(page))
    assert done.status_code == 302
    with tenant_context(business):
        return {p.code: p for p in Product.objects.all()}


EXCEL_TEXT = "Código;Nombre;Precio;IVA\r\nP1;Piña;1,15;15\r\nP2;Café molido;3;0\r\n"


def test_a_latin1_csv_from_excel_imports(owner_client, business):
    products = import_file(owner_client, EXCEL_TEXT.encode("cp1252"), business)
    assert products["P1"].name == "Piña"
    assert products["P1"].price == Decimal("1.000000")  # 1,15 with IVA 15 %
    assert products["P2"].name == "Café molido"


def test_a_utf16_unicode_text_from_excel_imports(owner_client, business):
    tabbed = EXCEL_TEXT.replace(";", "\t")
    data = codecs.BOM_UTF16_LE + tabbed.encode("utf-16-le")
    products = import_file(owner_client, data, business)
    assert products["P1"].name == "Piña"
    assert products["P2"].price == Decimal("3.000000")


def test_a_utf16_csv_imports_customers_too(owner_client, business):
    text = (
        "Tipo de identificación,Identificación,Nombre\nCédula,1708611684,Ñusta Piña\n"
    )
    data = text.encode("utf-16")  # with its BOM
    page = preview(owner_client, data, reverse("admin:customers_customer_import"))
    assert "process_import" in page
    owner_client.post(
        reverse("admin:customers_customer_process_import"), _confirm_data(page)
    )
    with tenant_context(business):
        assert Customer.objects.filter(name="Ñusta Piña").exists()


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "Código,Piña".encode(),
        "Código,Piña".encode(),
        "Código,Piña".encode("cp1252"),
        "Código,Piña".encode("utf-16"),
        "Código,Piña".encode("utf-16-le"),
        "Código,Piña".encode("utf-16-be"),
    ],
    ids=["utf8-bom", "utf8", "cp1252", "utf16", "utf16le", "utf16be"],
)
def test_decode_text(data):
    assert decode_text(data) == "Código,Piña"


def test_semicolon_and_tab_files_are_split_into_columns():
    for sep in (",", ";", "\t"):
        dataset = SpreadsheetCSV().create_dataset(
            f"Código{sep}Nombre\nA{sep}B\n".encode()
        )
        assert dataset.headers == ["Código", "Nombre"]
        assert dataset[0] == ("A", "B")


def test_xlsx_export_survives_control_characters(owner_client, tenant):
    ProductFactory(code="B1", name="Campana\x07")
    sheet = openpyxl.load_workbook(io.BytesIO(export(owner_client, XLSX_FORMAT))).active
    assert sheet["C2"].value == "Campana\N{REPLACEMENT CHARACTER}"
