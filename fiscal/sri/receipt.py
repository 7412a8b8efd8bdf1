"""80 mm till receipt of an electronic document, with its clave de acceso.

Not a RIDE (the A4 one is); it gives the buyer the number, totals and the
clave de acceso (digits and Code 128) to look the invoice up at the SRI.
"""

import io
from datetime import datetime

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .documents import CreditNote, Invoice
from .ride import totals_rows
from .xml import money, unit

WIDTH = 80 * mm
MARGIN = 4 * mm
LINE = 3.6 * mm
_AMBIENTES = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}


def _rows(document, authorized_at: datetime | None) -> list[tuple[str, str]]:
    """(left, right) text rows, top to bottom; right may be empty."""
    issuer = document.issuer
    kind = "NOTA DE CRÉDITO" if isinstance(document, CreditNote) else "FACTURA"
    texts = [
        issuer.nombre_comercial or issuer.razon_social,
        issuer.razon_social,
        f"RUC {issuer.ruc}",
        issuer.dir_establecimiento or issuer.dir_matriz,
        f"{kind} {document.number}",
        f"Fecha: {document.fecha:%d/%m/%Y}",
        f"Cliente: {document.buyer.name}",
        f"CI/RUC: {document.buyer.identification}",
        "-" * 48,
    ]
    rows = [(text, "") for text in texts]
    for line in document.lines:
        rows.append((line.description[:40], ""))
        rows.append(
            (f"  {unit(line.quantity)} x {unit(line.unit_price)}", money(line.base))
        )
    rows.append(("-" * 48, ""))
    rows += [(label, money(value)) for label, value in totals_rows(document)]
    if isinstance(document, Invoice):
        rows += [
            (f"Pago {p.code}", money(p.amount)) for p in document.effective_payments
        ]
    when = f"{authorized_at:%d/%m/%Y %H:%M}" if authorized_at else "PENDIENTE"
    rows += [("-" * 48, ""), (f"Ambiente: {_AMBIENTES[issuer.ambiente]}", ""),
             (f"Autorización: {when}", ""), ("CLAVE DE ACCESO:", "")]  # fmt: skip
    return rows


def receipt_render(document, *, authorized_at: datetime | None = None) -> bytes:
    """Return a one-page 80 mm PDF receipt of an Invoice or CreditNote."""
    rows = _rows(document, authorized_at)
    key = document.access_key
    barcode = code128.Code128(key, barHeight=10 * mm, barWidth=0.5, humanReadable=False)
    height = MARGIN * 2 + LINE * (len(rows) + 3) + 12 * mm
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH, height))
    y = height - MARGIN - LINE
    for left, right in rows:
        pdf.setFont("Helvetica", 7)
        pdf.drawString(MARGIN, y, left)
        if right:
            pdf.drawRightString(WIDTH - MARGIN, y, right)
        y -= LINE
    barcode.drawOn(pdf, MARGIN, y - 10 * mm)
    y -= 10 * mm + LINE
    pdf.setFont("Helvetica", 5.5)
    pdf.drawString(MARGIN, y, key)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
