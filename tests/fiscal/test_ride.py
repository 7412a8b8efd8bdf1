import shutil
import subprocess
from datetime import datetime
from decimal import Decimal

import pytest

from fiscal.sri.ride import ride_render, totals_rows

from .sri_factories import credit_note_make, invoice_make


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "ride.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_invoice_ride_shows_clave_number_authorisation_and_totals(tmp_path):
    invoice = invoice_make()
    pdf = ride_render(
        invoice,
        authorization_number=invoice.access_key,
        authorized_at=datetime(2026, 11, 20, 10, 15, 30),
    )
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert invoice.access_key in text
    for expected in (
        "R.U.C.: 1790012345001",
        "FACTURA",
        "No. 001-002-000000123",
        "20/11/2026 10:15:30",
        "AMBIENTE: PRUEBAS",
        "EMISIÓN: NORMAL",
        "CONTRIBUYENTE RÉGIMEN RIMPE",
        "María José Pérez",
        "1710034065",
        "0.333333",
        "Tarjeta de crédito",
        "maria@example.com",
    ):
        assert expected in text, expected
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert any(line.endswith("VALOR TOTAL 5.82") for line in lines)
    assert any(line.endswith("IVA 15% 0.57") for line in lines)
    assert any(line.endswith("PROPINA 0.38") for line in lines)


def test_unauthorised_ride_says_pending(tmp_path):
    text = pdf_text(ride_render(invoice_make()), tmp_path)
    assert "PENDIENTE DE AUTORIZACIÓN" in text


def test_credit_note_ride_references_the_invoice(tmp_path):
    note = credit_note_make()
    text = pdf_text(ride_render(note), tmp_path)
    assert "NOTA DE CRÉDITO" in text
    assert "FACTURA 001-002-000000123" in text
    assert "Devolución de mercadería" in text
    assert note.access_key in text


def test_totals_rows_reconcile_with_the_document():
    invoice = invoice_make()
    rows = dict(totals_rows(invoice))
    assert rows["SUBTOTAL 15%"] + rows["SUBTOTAL 0%"] == rows["SUBTOTAL SIN IMPUESTOS"]
    assert rows["VALOR TOTAL"] == (
        rows["SUBTOTAL SIN IMPUESTOS"] + rows["IVA 15%"] + rows["PROPINA"]
    )
    assert rows["VALOR TOTAL"] == Decimal("5.82")


def test_receipt_prints_the_clave_de_acceso_and_total(tmp_path):
    from fiscal.sri.receipt import receipt_render

    invoice = invoice_make()
    pdf = receipt_render(invoice)
    text = pdf_text(pdf, tmp_path)
    assert invoice.access_key in text
    assert "FACTURA 001-002-000000123" in text
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert "VALOR TOTAL 5.82" in lines
