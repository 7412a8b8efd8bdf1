"""RIDE (Representación Impresa del Documento Electrónico), A4, with ReportLab.

Carries every field SRI requires on the printed representation: issuer data,
document type and number, authorisation number and date, ambiente, emisión,
clave de acceso as Code 128 plus digits, buyer, lines, tax breakdown,
payments and additional information. Amounts come from the same
`documents` properties the XML uses, so both always agree to the cent.
"""

import io
from datetime import datetime
from decimal import Decimal

from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.sri_codes import PAYMENT_CODES
from core.taxes import RATES

from .documents import CreditNote, Invoice, info_adicional
from .xml import money, unit

_STYLES = getSampleStyleSheet()
_SMALL = ParagraphStyle("ride-small", parent=_STYLES["Normal"], fontSize=8, leading=10)
_BOLD = ParagraphStyle("ride-bold", parent=_SMALL, fontName="Helvetica-Bold")
_TITLE = ParagraphStyle("ride-title", parent=_BOLD, fontSize=12, leading=15)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
_HEADER_ROW = [
    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
]
_AMBIENTES = {"1": "PRUEBAS", "2": "PRODUCCIÓN"}
_EMISION = {"1": "NORMAL"}


def _p(text: str, style=_SMALL) -> Paragraph:
    safe = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe, style)


def _kind(document) -> str:
    return "NOTA DE CRÉDITO" if isinstance(document, CreditNote) else "FACTURA"


def _issuer_block(document) -> list:
    issuer = document.issuer
    rows = [_p(issuer.razon_social, _TITLE)]
    if issuer.nombre_comercial:
        rows.append(_p(issuer.nombre_comercial, _BOLD))
    rows.append(_p(f"Dirección Matriz: {issuer.dir_matriz}"))
    if issuer.dir_establecimiento:
        rows.append(_p(f"Dirección Sucursal: {issuer.dir_establecimiento}"))
    if issuer.contribuyente_especial:
        rows.append(_p(f"Contribuyente Especial Nro: {issuer.contribuyente_especial}"))
    obligado = "SI" if issuer.obligado_contabilidad else "NO"
    rows.append(_p(f"OBLIGADO A LLEVAR CONTABILIDAD: {obligado}"))
    if issuer.rimpe:
        rows.append(_p(issuer.rimpe, _BOLD))
    return rows


def _authorization_block(document, number: str, authorized_at: datetime | None) -> list:
    key = document.access_key
    barcode = code128.Code128(
        key, barHeight=12 * mm, barWidth=0.75, humanReadable=False
    )
    when = authorized_at.strftime("%d/%m/%Y %H:%M:%S") if authorized_at else "PENDIENTE"
    return [
        _p(f"R.U.C.: {document.issuer.ruc}", _TITLE),
        _p(_kind(document), _TITLE),
        _p(f"No. {document.number}", _BOLD),
        _p("NÚMERO DE AUTORIZACIÓN", _BOLD),
        _p(number or "PENDIENTE DE AUTORIZACIÓN"),
        _p(f"FECHA Y HORA DE AUTORIZACIÓN: {when}"),
        _p(f"AMBIENTE: {_AMBIENTES[document.issuer.ambiente]}"),
        _p(f"EMISIÓN: {_EMISION.get(document.tipo_emision, 'NORMAL')}"),
        _p("CLAVE DE ACCESO", _BOLD),
        barcode,
        _p(key),
    ]


def _buyer_block(document) -> Table:
    buyer = document.buyer
    rows = [
        [_p("Razón Social / Nombres y Apellidos:", _BOLD), _p(buyer.name)],
        [_p("Identificación:", _BOLD), _p(buyer.identification)],
        [_p("Fecha Emisión:", _BOLD), _p(document.fecha.strftime("%d/%m/%Y"))],
    ]
    if buyer.address:
        rows.append([_p("Dirección:", _BOLD), _p(buyer.address)])
    if isinstance(document, CreditNote):
        rows += [
            [
                _p("Comprobante que se modifica:", _BOLD),
                _p(f"FACTURA {document.modified_number}"),
            ],
            [
                _p("Fecha emisión (comprobante a modificar):", _BOLD),
                _p(document.modified_date.strftime("%d/%m/%Y")),
            ],
            [_p("Razón de modificación:", _BOLD), _p(document.reason)],
        ]
    table = Table(rows, colWidths=[60 * mm, 120 * mm])
    table.setStyle(_GRID)
    return table


def _lines_table(document) -> Table:
    rows = [
        [
            "Cód. Principal",
            "Cant.",
            "Descripción",
            "Precio Unitario",
            "Descuento",
            "Precio Total",
        ]
    ]
    rows += [
        [
            line.code,
            unit(line.quantity),
            _p(line.description),
            unit(line.unit_price),
            money(line.discount),
            money(line.base),
        ]
        for line in document.lines
    ]
    widths = [24 * mm, 18 * mm, 68 * mm, 26 * mm, 20 * mm, 24 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [*_GRID.getCommands(), *_HEADER_ROW, ("ALIGN", (3, 1), (-1, -1), "RIGHT")]
        )
    )
    return table


def subtotal_label(code: str) -> str:
    """Printed name of an IVA group, e.g. SUBTOTAL 15%, SUBTOTAL NO OBJETO DE IVA."""
    names = {"6": "NO OBJETO DE IVA", "7": "EXENTO DE IVA"}
    return names.get(code) or f"{RATES[code].rate.normalize():f}%"


def totals_rows(document) -> list[tuple[str, Decimal]]:
    """The RIDE totals box, in SRI's order (also used by the tests)."""
    rows = [
        (f"SUBTOTAL {subtotal_label(t.percentage_code)}", t.base)
        for t in document.tax_totals
    ]
    rows += [
        ("SUBTOTAL SIN IMPUESTOS", document.subtotal),
        ("TOTAL DESCUENTO", document.total_discount),
    ]
    rows += [
        (f"IVA {subtotal_label(t.percentage_code)}", t.value)
        for t in document.tax_totals
        if t.rate > 0
    ]
    if isinstance(document, Invoice):
        rows += [("PROPINA", document.propina), ("VALOR TOTAL", document.total)]
    else:
        rows.append(("VALOR TOTAL", document.total))
    return rows


def _totals_table(document) -> Table:
    table = Table(
        [[label, money(value)] for label, value in totals_rows(document)],
        colWidths=[50 * mm, 25 * mm],
    )
    table.setStyle(
        TableStyle([*_GRID.getCommands(), ("ALIGN", (1, 0), (1, -1), "RIGHT")])
    )
    return table


def _info_and_payments(document) -> list:
    rows = [[_p("Información Adicional", _BOLD), ""]]
    rows += [[_p(name), _p(value)] for name, value in info_adicional(document)]
    if isinstance(document, Invoice):
        rows.append([_p("Forma de pago", _BOLD), _p("Valor", _BOLD)])
        rows += [
            [_p(f"{p.code} - {PAYMENT_CODES[p.code]}"), money(p.amount)]
            for p in document.effective_payments
        ]
    table = Table(rows, colWidths=[60 * mm, 40 * mm])
    table.setStyle(_GRID)
    return table


def ride_render(
    document, *, authorization_number: str = "", authorized_at: datetime | None = None
) -> bytes:
    """Return the A4 RIDE PDF of an Invoice or CreditNote."""
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"RIDE {_kind(document)} {document.number}",
        author=document.issuer.razon_social,
    )
    header = Table(
        [
            [
                _issuer_block(document),
                _authorization_block(document, authorization_number, authorized_at),
            ]
        ],
        colWidths=[88 * mm, 98 * mm],
    )
    header.setStyle(
        TableStyle(
            [
                ("BOX", (1, 0), (1, 0), 0.6, colors.black),
                ("BOX", (0, 0), (0, 0), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    footer = Table(
        [[_info_and_payments(document), _totals_table(document)]],
        colWidths=[106 * mm, 80 * mm],
    )
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        header,
        Spacer(1, 4 * mm),
        _buyer_block(document),
        Spacer(1, 4 * mm),
        _lines_table(document),
        Spacer(1, 4 * mm),
        footer,
    ]
    pdf.build(story)
    return buffer.getvalue()
