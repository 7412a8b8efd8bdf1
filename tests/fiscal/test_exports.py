import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from lxml import etree
from openpyxl import load_workbook

from backoffice.tenancy.context import no_tenant
from fiscal.exports import month_export_zip, sales_by_rate
from fiscal.models import DocState, ElectronicDocument
from fiscal.services import edoc_create, edoc_submit
from fiscal.sri.ats import ats_validate

from .edoc_helpers import credit_note_for, edoc_make, schema_refused

pytestmark = pytest.mark.django_db


def _manage(*args, **options):
    """Run a command as `manage.py` does: with no tenant in context."""
    with no_tenant():
        call_command(*args, **options)


@pytest.fixture
def month(certified, fake_sri):
    """Two authorised invoices, one credit note, one invoice still unsent."""
    first = edoc_make(certified, 1)
    second = edoc_make(certified, 2)
    note = edoc_create(
        business=certified,
        document=credit_note_for(certified, 1, modified_number=first.number),
        modifies=first,
    )
    for edoc in (first, second, note):
        edoc_submit(edoc=edoc)
    pending = edoc_make(certified, 3)
    return certified, [first, second, note, pending]


def test_export_sri_writes_xml_per_clave_ats_and_workbooks(month, tmp_path):
    business, documents = month
    _manage("export_sri", business=business.ruc, month="2026-11", out=str(tmp_path))
    names = {p.name for p in tmp_path.iterdir()}
    assert {f"{d.access_key}.xml" for d in documents} <= names
    assert {"ATS-2026-11.xml", "comprobantes-2026-11.xlsx",
            "ventas-por-tarifa-2026-11.xlsx"} <= names  # fmt: skip
    first = etree.parse(str(tmp_path / f"{documents[0].access_key}.xml")).getroot()
    assert first.tag == "autorizacion"  # authorised documents export the SRI wrapper
    unsent = etree.parse(str(tmp_path / f"{documents[3].access_key}.xml")).getroot()
    assert unsent.tag == "factura"

    ats = (tmp_path / "ATS-2026-11.xml").read_bytes()
    ats_validate(ats)
    # invoices 4.87 + 4.87, credit note 3.00: the unsent invoice is excluded
    assert etree.fromstring(ats).findtext("totalVentas") == "6.74"


def test_workbooks_reconcile_with_the_ats(month, tmp_path):
    business, documents = month
    _manage("export_sri", business=business.ruc, month="2026-11", out=str(tmp_path))
    ats = etree.parse(str(tmp_path / "ATS-2026-11.xml")).getroot()
    sheet = load_workbook(tmp_path / "ventas-por-tarifa-2026-11.xlsx").active
    total_row = list(sheet.iter_rows(values_only=True))[-1]
    assert Decimal(str(total_row[2])) == Decimal(ats.findtext("totalVentas"))
    docs = load_workbook(tmp_path / "comprobantes-2026-11.xlsx").active
    rows = list(docs.iter_rows(values_only=True))
    assert len(rows) == 1 + len(documents)
    states = {row[3]: row[9] for row in rows[1:]}
    assert states[documents[3].access_key] == "Generado"


def test_sales_by_rate_nets_credit_notes(month):
    business, _ = month
    with_rates = sales_by_rate(ElectronicDocument.objects.filter(business=business))
    # 2 x 3.80 - 3.00 and 2 x 0.57 - 0.45
    assert with_rates["4"] == (Decimal("4.60"), Decimal("0.69"))
    assert with_rates["0"] == (Decimal("2.14"), Decimal("0.00"))


def test_zip_holds_the_same_files(month):
    business, documents = month
    archive = zipfile.ZipFile(
        io.BytesIO(month_export_zip(business=business, year=2026, month=11))
    )
    assert f"{documents[0].access_key}.xml" in archive.namelist()
    assert "ATS-2026-11.xml" in archive.namelist()


def test_export_only_contains_the_business_own_documents(
    month, other_business, tmp_path
):
    _manage(
        "export_sri", business=other_business.ruc, month="2026-11", out=str(tmp_path)
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xml") == [
        "ATS-2026-11.xml"
    ]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM|2026-11"):
        call_command("export_sri", business="x", month="11-2026", out=str(tmp_path))


def test_states_in_fixture(month):
    _, documents = month
    assert [d.state for d in documents] == [DocState.AUTHORISED] * 3 + [
        DocState.GENERATED
    ]


def test_a_document_its_schema_refused_is_left_out_of_the_xml_files(month, tmp_path):
    """The month still exports; the refused document has no XML until the
    owner corrects it (it stays in the workbook, with its state)."""
    business, documents = month
    refused = schema_refused(business, 4)
    assert refused.state == DocState.RETURNED
    _manage("export_sri", business=business.ruc, month="2026-11", out=str(tmp_path))
    names = {p.name for p in tmp_path.iterdir()}
    assert {f"{d.access_key}.xml" for d in documents} <= names
    assert f"{refused.access_key}.xml" not in names
    rows = list(load_workbook(tmp_path / "comprobantes-2026-11.xlsx").active.values)
    assert len(rows) == 1 + len(documents) + 1
