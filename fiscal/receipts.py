"""80 mm thermal receipts (72 mm printable) as PDF (ReportLab) and printable HTML.

The renderer takes plain data (`ReceiptData`, `CashReport`) built by the POS,
so it knows nothing of models. Drawing goes straight to the canvas (no
platypus) to stay well under 20 ms per receipt. Long texts wrap; a receipt
taller than one page continues on the next with a page counter.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH = 80 * mm
MARGIN = 4 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN  # 72 mm printable
MAX_PAGE_HEIGHT = 297 * mm
FONT = "Helvetica"
BOLD = "Helvetica-Bold"
SIZE = 7.5
LEADING = 9.5
LOGO_HEIGHT = 16 * mm
SMALL = 6  # the 49-digit clave de acceso fits the 72 mm line at this size
BARCODE_HEIGHT = 9 * mm


@dataclass
class ReceiptLine:
    quantity: Decimal
    name: str
    unit_price: Decimal
    total: Decimal
    discount: Decimal = Decimal("0")
    code: str = ""
    note: str = ""  # the cashier's line note ("sin cebolla")


@dataclass
class ReceiptData:
    business_name: str
    razon_social: str
    ruc: str
    address: str
    title: str  # "FACTURA", "NOTA DE CRÉDITO"
    number: str
    date: str
    customer_name: str
    customer_identification: str
    lines: list[ReceiptLine]
    taxes: list[tuple[str, Decimal, Decimal]]  # (label, base, tax)
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    service_charge: Decimal
    total: Decimal
    payments: list[tuple[str, Decimal]]
    tendered: Decimal = Decimal("0")
    change: Decimal = Decimal("0")
    cashier: str = ""
    customer_address: str = ""
    customer_email: str = ""
    establishment_address: str = ""
    obligado_contabilidad: bool = False
    extra_header: list[str] = field(default_factory=list)  # e.g. RIMPE legend
    access_key: str = ""  # clave de acceso, once the SRI document exists
    authorization_number: str = ""  # once the SRI authorised it
    authorized_at: str = ""
    ambiente: str = ""  # "PRUEBAS" / "PRODUCCIÓN"
    footer: str = ""
    logo_url: str = ""  # the HTML receipt's <img src> (a URL, never a file path)
    logo_image: bytes = b""  # the PDF's logo, read through the storage API
    voided_note: str = ""  # "ANULADA: nota de crédito 001-001-000000004"


@dataclass
class CashReport:
    title: str  # "REPORTE X" / "REPORTE Z"
    header: list[str]
    sections: list[tuple[str, list[tuple[str, str]]]]


# A row is (kind, payload): "center"/"text"/"bold" with a string, "pair" with
# (left, right, bold), "rule" with None, "logo" with the image's bytes.
Row = tuple[str, object]


def _money(value) -> str:
    return f"{value:,.2f}"


def _qty(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _wrap(text: str, font: str = FONT, width: float = CONTENT_WIDTH) -> list[str]:
    if stringWidth(text, font, SIZE) <= width:  # most lines: one measurement
        return [text]
    return simpleSplit(text, font, SIZE, width) or [""]


def _layout(rows: list[Row]) -> list[tuple[str, object, float]]:
    """Expand rows into drawable lines with their heights."""
    out = []
    for kind, payload in rows:
        if kind == "logo":
            out.append(("logo", payload, LOGO_HEIGHT + 2 * mm))
        elif kind == "barcode":
            out.append(("barcode", payload, BARCODE_HEIGHT + 2 * mm))
        elif kind == "small":
            out.append(("small", (str(payload), FONT), LEADING))
        elif kind == "rule":
            out.append(("rule", None, LEADING * 0.6))
        elif kind == "pair":
            left, right, bold = payload
            font = BOLD if bold else FONT
            right_w = stringWidth(right, font, SIZE) + 2 * mm
            lines = _wrap(left, font, CONTENT_WIDTH - right_w)
            for line in lines[:-1]:
                out.append(("text", (line, font), LEADING))
            out.append(("pair", (lines[-1], right, font), LEADING))
        else:
            font = BOLD if kind in ("bold", "center_bold") else FONT
            center = kind.startswith("center")
            for line in _wrap(str(payload), font):
                out.append(("center" if center else "text", (line, font), LEADING))
    return out


def _pages(items, max_height) -> list[list]:
    usable = max_height - 2 * MARGIN - LEADING  # room for the page counter
    pages, current, height = [], [], 0.0
    for item in items:
        if current and height + item[2] > usable:
            pages.append(current)
            current, height = [], 0.0
        current.append(item)
        height += item[2]
    pages.append(current)
    return pages


def ticket_pdf(rows: list[Row], *, title: str = "") -> bytes:
    """Draw rows on 80 mm pages; the last page is only as tall as its content."""
    items = _layout(rows)
    pages = _pages(items, MAX_PAGE_HEIGHT)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, MAX_PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("SouthernPOS")
    for number, page in enumerate(pages, 1):
        counter = len(pages) > 1
        content = sum(item[2] for item in page) + (LEADING if counter else 0)
        height = (
            MAX_PAGE_HEIGHT
            if number < len(pages)
            else min(MAX_PAGE_HEIGHT, content + 2 * MARGIN)
        )
        canvas.setPageSize((PAGE_WIDTH, height))
        y = height - MARGIN
        # One text object per page: every string of the page goes into it.
        text = canvas.beginText()
        for kind, payload, item_height in page:
            y = _draw(canvas, text, kind, payload, item_height, y)
        if counter:
            _text_at(text, f"{number}/{len(pages)}", FONT, SIZE - 1, y - LEADING + 2)
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _text_at(text, value: str, font: str, size: float, baseline: float, align="c"):
    """Place a string in the page's text object: left, centred or right aligned."""
    if (text._fontname, text._fontsize) != (font, size):
        text.setFont(font, size)
    if align == "l":
        x = MARGIN
    else:
        width = stringWidth(value, font, size)
        x = PAGE_WIDTH - MARGIN - width if align == "r" else (PAGE_WIDTH - width) / 2
    text.setTextOrigin(x, baseline)
    text.textOut(value)


def _draw(canvas, text, kind, payload, item_height, y) -> float:
    baseline = y - item_height + 2.5
    if kind == "logo":
        try:
            image = ImageReader(io.BytesIO(payload))
            w, h = image.getSize()
            draw_h = LOGO_HEIGHT
            draw_w = min(CONTENT_WIDTH, w * draw_h / h)
            canvas.drawImage(
                image,
                (PAGE_WIDTH - draw_w) / 2,
                y - draw_h,
                draw_w,
                draw_h,
                mask="auto",
            )
        except (OSError, ValueError, ZeroDivisionError):
            pass  # a missing or broken logo must never stop a receipt
    elif kind == "barcode":
        code = code128.Code128(
            payload, barHeight=BARCODE_HEIGHT, barWidth=0.6, humanReadable=False
        )
        code.drawOn(canvas, max(MARGIN, (PAGE_WIDTH - code.width) / 2), y - item_height)
    elif kind == "small":
        value, font = payload
        _text_at(text, value, font, SMALL, baseline)
    elif kind == "rule":
        canvas.setDash(1, 2)
        mid = y - item_height / 2
        canvas.line(MARGIN, mid, PAGE_WIDTH - MARGIN, mid)
        canvas.setDash()
    elif kind == "pair":
        left, right, font = payload
        _text_at(text, left, font, SIZE, baseline, align="l")
        _text_at(text, right, font, SIZE, baseline, align="r")
    else:
        value, font = payload
        _text_at(text, value, font, SIZE, baseline, "c" if kind == "center" else "l")
    return y - item_height


def receipt_rows(data: ReceiptData) -> list[Row]:
    rows: list[Row] = []
    if data.logo_image:
        rows.append(("logo", data.logo_image))
    rows.append(("center_bold", data.business_name))
    if data.razon_social != data.business_name:
        rows.append(("center", data.razon_social))
    rows.append(("center", _("RUC: %(ruc)s") % {"ruc": data.ruc}))
    rows.append(("center", data.address))
    if data.establishment_address and data.establishment_address != data.address:
        rows.append(("center", data.establishment_address))
    rows.append(
        (
            "center",
            _("Obligado a llevar contabilidad: %(v)s")
            % {"v": _("SÍ") if data.obligado_contabilidad else _("NO")},
        )
    )
    rows.extend(("center", line) for line in data.extra_header)
    rows.append(("rule", None))
    rows.append(("center_bold", f"{data.title} {data.number}"))
    rows.append(("center", data.date))
    if data.ambiente:
        rows.append(("center", _("Ambiente: %(a)s") % {"a": data.ambiente}))
    if data.voided_note:
        rows.append(("center_bold", data.voided_note))
    rows.append(("rule", None))
    rows.append(("text", _("Cliente: %(n)s") % {"n": data.customer_name}))
    rows.append(("text", _("RUC/CI: %(i)s") % {"i": data.customer_identification}))
    if data.customer_address:
        rows.append(("text", _("Dirección: %(a)s") % {"a": data.customer_address}))
    if data.customer_email:
        rows.append(("text", _("Correo: %(e)s") % {"e": data.customer_email}))
    rows.append(("rule", None))
    rows.append(("pair", (_("Cant. Descripción"), _("Total"), True)))
    for line in data.lines:
        rows.append(("pair", (f"{_qty(line.quantity)} {line.name}", "", False)))
        if line.note:
            rows.append(("pair", (f"   * {line.note}", "", False)))
        detail = f"   {_qty(line.quantity)} x {line.unit_price:.2f}"
        if line.discount:
            detail += " - " + _("desc.") + f" {_money(line.discount)}"
        rows.append(("pair", (detail, _money(line.total), False)))
    rows.append(("rule", None))
    for label, base, _tax in data.taxes:
        rows.append(("pair", (_("Subtotal %(l)s") % {"l": label}, _money(base), False)))
    if data.discount:
        rows.append(("pair", (_("Descuento"), _money(data.discount), False)))
    rows.append(("pair", (_("Subtotal sin impuestos"), _money(data.subtotal), False)))
    for label, _base, tax in data.taxes:
        if tax:
            rows.append(("pair", (label, _money(tax), False)))
    if data.service_charge:
        rows.append(("pair", (_("Servicio"), _money(data.service_charge), False)))
    rows.append(("pair", (_("TOTAL"), _money(data.total), True)))
    rows.append(("rule", None))
    for label, amount in data.payments:
        rows.append(("pair", (label, _money(amount), False)))
    if data.change:
        rows.append(("pair", (_("Efectivo recibido"), _money(data.tendered), False)))
        rows.append(("pair", (_("Cambio"), _money(data.change), True)))
    if data.cashier:
        rows.append(("text", _("Atendido por: %(c)s") % {"c": data.cashier}))
    rows.extend(_sri_rows(data))
    if data.footer:
        rows.append(("rule", None))
        rows.extend(("center", part) for part in data.footer.splitlines() if part)
    return rows


def _sri_rows(data: ReceiptData) -> list[Row]:
    """Clave de acceso (digits and Code 128) and the SRI authorisation, if any."""
    if not data.access_key:
        return []
    rows: list[Row] = [("rule", None), ("center_bold", _("CLAVE DE ACCESO"))]
    rows.append(("barcode", data.access_key))
    rows.append(("small", data.access_key))
    if data.authorization_number:
        rows.append(("center_bold", _("AUTORIZACIÓN SRI")))
        rows.append(("small", data.authorization_number))
        rows.append(("center", data.authorized_at))
    else:
        rows.append(("center", _("Autorización del SRI: pendiente")))
    return rows


# A receipt is a tax document handed to the customer: always in the country's
# language (Spanish), whatever the language of the cashier's browser.
def receipt_pdf(data: ReceiptData) -> bytes:
    """The 80 mm receipt of a sale as PDF bytes."""
    with translation.override(settings.LANGUAGE_CODE):
        return ticket_pdf(receipt_rows(data), title=f"{data.title} {data.number}")


def receipt_html(data: ReceiptData) -> str:
    """A printable HTML receipt (80 mm wide via @page CSS) for browser printing."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string("fiscal/receipt.html", {"r": data})


def cash_report_pdf(report: CashReport) -> bytes:
    rows: list[Row] = [("center_bold", report.title)]
    rows.extend(("center", line) for line in report.header)
    for heading, pairs in report.sections:
        rows.append(("rule", None))
        rows.append(("bold", heading))
        rows.extend(("pair", (label, value, False)) for label, value in pairs)
    return ticket_pdf(rows, title=report.title)
