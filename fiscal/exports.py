"""The accountant's month: XML per document, the ATS and xlsx workbooks.

`month_export` returns file names and contents; the export_sri command
writes them to a directory and the back office zips them. Every figure
comes from the stored document payloads through the same `fiscal.sri`
code as the XML and RIDE, so the workbooks reconcile with the ATS.
"""

import io
import zipfile
from collections import defaultdict
from decimal import Decimal

from openpyxl import Workbook

from backoffice.formulas import xlsx_row
from backoffice.tenancy.models import Business, Establishment
from core.money import ZERO

from .models import DocState, ElectronicDocument
from .selectors import edoc_annulled_list, edoc_month_list
from .services.documents import edoc_xml
from .sri.ats import AtsAnnulled, AtsSale, ats_build
from .sri.documents import COD_DOC_NOTA_CREDITO, Invoice
from .sri.payload import document_from_payload
from .sri.ride import subtotal_label
from .sri.xml import XmlValidationError


def edoc_export_xml(edoc: ElectronicDocument) -> str | None:
    """The authorised XML, else the latest signed one, else the unsigned one
    (built from the document's data until it is signed); None for a document
    its schema refused, which has no XML until the owner corrects it."""
    if xml := edoc.authorised_xml or edoc.signed_xml:
        return xml
    try:
        return edoc_xml(edoc)
    except XmlValidationError:
        return None


def ats_sale_from_edoc(edoc: ElectronicDocument) -> AtsSale:
    document = document_from_payload(edoc.payload)
    payments = ()
    if isinstance(document, Invoice):
        payments = tuple(p.code for p in document.effective_payments)
    return AtsSale(
        cod_doc=edoc.kind,
        estab=document.issuer.estab,
        buyer_id_type=edoc.buyer_id_type,
        buyer_identification=edoc.buyer_identification,
        buyer_name=edoc.buyer_name,
        bases={t.percentage_code: t.base for t in document.tax_totals},
        iva=document.total_tax,
        payment_codes=payments,
    )


def ats_annulled_from_edoc(edoc: ElectronicDocument) -> AtsAnnulled:
    estab, pto_emi, secuencial = edoc.number.split("-")
    return AtsAnnulled(
        cod_doc=edoc.kind,
        estab=estab,
        pto_emi=pto_emi,
        secuencial=int(secuencial),
        authorization=edoc.authorization_number or edoc.access_key,
    )


def month_ats(*, business: Business, year: int, month: int) -> bytes:
    """The month's ATS: authorised documents in `ventas`, portal annulments in
    `anulados` (an invoice annulled in the SRI portal is not a sale)."""
    # The XML columns are not read here: a big month streams through lightly.
    documents = (
        edoc_month_list(business=business, year=year, month=month)
        .defer("xml", "signed_xml", "authorised_xml")
        .iterator(chunk_size=500)
    )
    sales = [
        ats_sale_from_edoc(e)
        for e in documents
        if e.state == DocState.AUTHORISED and not e.needs_portal_annulment
    ]
    annulled = [
        ats_annulled_from_edoc(e)
        for e in edoc_annulled_list(business=business, year=year, month=month)
    ]
    codes = Establishment.objects.filter(business=business).values_list(
        "code", flat=True
    )
    return ats_build(
        ruc=business.ruc,
        razon_social=business.razon_social,
        year=year,
        month=month,
        establishments=sorted(codes),
        sales=sales,
        annulled=annulled,
    )


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCUMENT_COLUMNS = [
    "Fecha", "Tipo", "Número", "Clave de acceso", "Identificación", "Cliente",
    "Subtotal", "IVA", "Total", "Estado", "Autorización", "Fecha autorización",
]  # fmt: skip


def documents_xlsx(documents) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Comprobantes"
    sheet.append(DOCUMENT_COLUMNS)
    for edoc in documents:
        authorized = (
            edoc.authorized_at.replace(tzinfo=None) if edoc.authorized_at else None
        )
        # Buyer names and identifications are typed by people: never formulas.
        sheet.append(xlsx_row([
            edoc.issue_date, edoc.get_kind_display(), edoc.number, edoc.access_key,
            edoc.buyer_identification, edoc.buyer_name, edoc.subtotal, edoc.tax_total,
            edoc.total, edoc.get_state_display(), edoc.authorization_number, authorized,
        ]))  # fmt: skip
    return _workbook_bytes(workbook)


def sales_by_rate(documents) -> dict[str, tuple[Decimal, Decimal]]:
    """Net base and IVA per codigoPorcentaje of authorised documents."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for edoc in documents:
        if edoc.state != DocState.AUTHORISED or edoc.needs_portal_annulment:
            continue
        sign = -1 if edoc.kind == COD_DOC_NOTA_CREDITO else 1
        for tax in document_from_payload(edoc.payload).tax_totals:
            totals[tax.percentage_code][0] += sign * tax.base
            totals[tax.percentage_code][1] += sign * tax.value
    return {code: (base, iva) for code, (base, iva) in sorted(totals.items())}


def sales_by_rate_xlsx(documents) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ventas por tarifa"
    sheet.append(["Código", "Tarifa", "Base imponible", "IVA"])
    rows = sales_by_rate(documents)
    for code, (base, iva) in rows.items():
        sheet.append(xlsx_row([code, subtotal_label(code), base, iva]))
    sheet.append([
        "", "TOTAL", sum((b for b, _ in rows.values()), ZERO),
        sum((i for _, i in rows.values()), ZERO),
    ])  # fmt: skip
    return _workbook_bytes(workbook)


def month_export(*, business: Business, year: int, month: int) -> dict[str, bytes]:
    """Every file of the month's export, by file name."""
    documents = list(edoc_month_list(business=business, year=year, month=month))
    files = {
        f"{e.access_key}.xml": xml.encode()
        for e in documents
        if (xml := edoc_export_xml(e)) is not None
    }
    stamp = f"{year:04d}-{month:02d}"
    files[f"ATS-{stamp}.xml"] = month_ats(business=business, year=year, month=month)
    files[f"comprobantes-{stamp}.xlsx"] = documents_xlsx(documents)
    files[f"ventas-por-tarifa-{stamp}.xlsx"] = sales_by_rate_xlsx(documents)
    return files


def month_export_zip(*, business: Business, year: int, month: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in month_export(
            business=business, year=year, month=month
        ).items():
            archive.writestr(name, data)
    return buffer.getvalue()
