"""80 mm receipts: page width, wrapping, pagination of long receipts, HTML."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from reportlab.lib.units import mm

from fiscal.receipts import (
    CONTENT_WIDTH,
    CashReport,
    ReceiptData,
    ReceiptLine,
    cash_report_pdf,
    receipt_html,
    receipt_pdf,
)

D = Decimal
LONG = "Hamburguesa doble con queso cheddar, tocino ahumado, cebolla caramelizada"


def receipt(n_lines=3, name="Café pasado") -> ReceiptData:
    lines = [
        ReceiptLine(
            quantity=D("2"),
            name=f"{name} {i}",
            unit_price=D("1.565217"),
            total=D("3.13"),
        )
        for i in range(n_lines)
    ]
    return ReceiptData(
        business_name="Demo Restaurante",
        razon_social="Demo Restaurante S.A.",
        ruc="1790393178001",
        address="Av. Amazonas, Quito",
        title="FACTURA",
        number="001-001-000000123",
        date="25/11/2026 18:00",
        customer_name="CONSUMIDOR FINAL",
        customer_identification="9999999999999",
        lines=lines,
        taxes=[("IVA 15 %", D("3.13") * n_lines, D("0.47") * n_lines)],
        subtotal=D("3.13") * n_lines,
        discount=D("0"),
        tax=D("0.47") * n_lines,
        service_charge=D("0"),
        total=D("3.60") * n_lines,
        payments=[("Efectivo", D("3.60") * n_lines)],
        tendered=D("100"),
        change=D("100") - D("3.60") * n_lines,
        footer="¡Gracias!",
    )


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    import re

    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def _text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (poppler-utils)")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return out.stdout.decode()


def test_receipt_is_80_mm_wide_and_72_mm_printable():
    pdf = receipt_pdf(receipt())
    assert pdf.startswith(b"%PDF")
    sizes = _page_sizes(pdf)
    assert len(sizes) == 1
    assert sizes[0][0] == pytest.approx(80 * mm, abs=0.01)
    assert sizes[0][1] < 297 * mm  # short receipt: short page
    assert pytest.approx(72 * mm) == CONTENT_WIDTH


def test_receipt_shows_number_customer_totals_and_change():
    text = _text(receipt_pdf(receipt()))
    for expected in (
        "FACTURA 001-001-000000123",
        "RUC: 1790393178001",
        "CONSUMIDOR FINAL",
        "IVA 15 %",
        "10.80",
        "89.20",
        "¡Gracias!",
    ):
        assert expected in text


def test_long_names_wrap_inside_the_paper():
    text = _text(receipt_pdf(receipt(1, name=LONG)))
    assert "caramelizada" in text
    assert all(len(line) < 70 for line in text.splitlines())


def test_200_line_receipt_paginates_with_every_line():
    pdf = receipt_pdf(receipt(200))
    sizes = _page_sizes(pdf)
    assert len(sizes) > 1
    assert all(w == pytest.approx(80 * mm, abs=0.01) for w, _h in sizes)
    assert all(h <= 297 * mm + 0.01 for _w, h in sizes)
    text = _text(pdf)
    for i in (0, 99, 199):
        assert f"Café pasado {i}" in text
    assert f"1/{len(sizes)}" in text and f"{len(sizes)}/{len(sizes)}" in text
    assert "720.00" in text  # the total, on the last page


def test_html_receipt_is_printable_at_80_mm():
    html = receipt_html(receipt(1, name=LONG))
    assert "size: 80mm auto" in html and "width: 72mm" in html
    assert "001-001-000000123" in html and "3.60" in html


def test_cash_report_pdf():
    pdf = cash_report_pdf(
        CashReport(
            title="REPORTE Z (CIERRE)",
            header=["Caja 1"],
            sections=[("Caja", [("Fondo inicial", "50.00")])],
        )
    )
    assert "REPORTE Z" in _text(pdf)
    assert io.BytesIO(pdf).read(4) == b"%PDF"


def test_logo_and_void_note_are_drawn():
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (120, 60), "#0f766e").save(logo, format="PNG")
    data = receipt()
    data.logo_image = logo.getvalue()
    data.voided_note = "ANULADA: nota de crédito 001-001-000000004"
    pdf = receipt_pdf(data)
    assert b"/Subtype /Image" in pdf
    assert "ANULADA: nota de crédito 001-001-000000004" in _text(pdf)


def test_broken_logo_never_stops_a_receipt():
    data = receipt()
    data.logo_image = b"not an image"
    assert "FACTURA" in _text(receipt_pdf(data))


KEY = "2511202601179039317800110010010000001231234567818"


def test_receipt_prints_the_clave_de_acceso_pending_authorisation():
    data = receipt()
    data.access_key, data.ambiente = KEY, "PRUEBAS"
    text = " ".join(_text(receipt_pdf(data)).split())
    assert f"CLAVE DE ACCESO {KEY}" in text
    assert "Ambiente: PRUEBAS" in text
    assert "Autorización del SRI: pendiente" in text


def test_receipt_prints_the_authorisation_once_authorised():
    data = receipt()
    data.access_key = data.authorization_number = KEY
    data.authorized_at = "25/11/2026 18:01"
    pdf = receipt_pdf(data)
    text = " ".join(_text(pdf).split())
    assert f"AUTORIZACIÓN SRI {KEY} 25/11/2026 18:01" in text
    assert "pendiente" not in text
    assert _page_sizes(pdf)[0][0] == pytest.approx(80 * mm, abs=0.01)
    html = receipt_html(data)
    assert html.count(KEY) == 2 and "25/11/2026 18:01" in html


def test_receipt_without_sri_document_prints_no_clave():
    text = _text(receipt_pdf(receipt()))
    assert "CLAVE DE ACCESO" not in text


def test_the_receipt_is_spanish_whatever_the_cashiers_language():
    from django.utils import translation

    data = receipt()
    data.access_key, data.ambiente = KEY, "PRUEBAS"
    with translation.override("en"):
        text = " ".join(_text(receipt_pdf(data)).split())
    assert f"CLAVE DE ACCESO {KEY}" in text and "ACCESS KEY" not in text
