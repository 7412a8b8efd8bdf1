"""Build factura and notaCredito v1.1.0 XML and validate them against the XSDs.

Element order follows the official schemas exactly; every optional element
we emit is listed in schema order. Money is written with 2 decimals,
cantidad and precioUnitario with up to 6 (v1.1.0).
"""

from decimal import Decimal
from functools import lru_cache

from lxml import etree

from core.money import round_money, round_unit

from . import schemas
from .documents import CreditNote, Invoice, info_adicional

VERSION = "1.1.0"
SIGNATURE_TAG = "{http://www.w3.org/2000/09/xmldsig#}Signature"
_SCHEMA_BY_ROOT = {
    ("factura", "1.0.0"): "factura_V1.0.0.xsd",
    ("factura", "1.1.0"): schemas.FACTURA_1_1_0,
    ("factura", "2.0.0"): "factura_V2.0.0.xsd",
    ("factura", "2.1.0"): "factura_V2.1.0.xsd",
    ("notaCredito", "1.0.0"): "NotaCredito_V1.0.0.xsd",
    ("notaCredito", "1.1.0"): schemas.NOTA_CREDITO_1_1_0,
}
_EMITTED = {schemas.FACTURA_1_1_0, schemas.NOTA_CREDITO_1_1_0}


class XmlValidationError(ValueError):
    """A document does not conform to its SRI XSD; it must not be signed or sent."""

    def __init__(self, root: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{root} does not match its SRI schema: " + "; ".join(errors))


def money(value) -> str:
    return f"{round_money(value):.2f}"


def unit(value) -> str:
    """Up to 6 decimals, never fewer than 2 (1.5 -> 1.50, 0.333333 stays)."""
    text = f"{round_unit(value):.6f}".rstrip("0")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def rate(value: Decimal) -> str:
    return f"{value:.2f}"


def _add(parent, tag: str, text: str | None = None):
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _info_tributaria(root, doc) -> None:
    issuer = doc.issuer
    info = _add(root, "infoTributaria")
    _add(info, "ambiente", issuer.ambiente)
    _add(info, "tipoEmision", doc.tipo_emision)
    _add(info, "razonSocial", issuer.razon_social)
    if issuer.nombre_comercial:
        _add(info, "nombreComercial", issuer.nombre_comercial)
    _add(info, "ruc", issuer.ruc)
    _add(info, "claveAcceso", doc.access_key)
    _add(info, "codDoc", doc.cod_doc)
    _add(info, "estab", issuer.estab)
    _add(info, "ptoEmi", issuer.pto_emi)
    _add(info, "secuencial", doc.secuencial)
    _add(info, "dirMatriz", issuer.dir_matriz)
    if issuer.rimpe:
        _add(info, "contribuyenteRimpe", issuer.rimpe)


def _issuer_flags(info, issuer) -> None:
    if issuer.contribuyente_especial:
        _add(info, "contribuyenteEspecial", issuer.contribuyente_especial)
    _add(info, "obligadoContabilidad", "SI" if issuer.obligado_contabilidad else "NO")


def _total_con_impuestos(info, doc, *, with_rate: bool) -> None:
    totals = _add(info, "totalConImpuestos")
    for tax in doc.tax_totals:
        item = _add(totals, "totalImpuesto")
        _add(item, "codigo", tax.code)
        _add(item, "codigoPorcentaje", tax.percentage_code)
        _add(item, "baseImponible", money(tax.base))
        if with_rate:  # factura allows tarifa here, notaCredito does not
            _add(item, "tarifa", rate(tax.rate))
        _add(item, "valor", money(tax.value))


def _line_taxes(detail, line) -> None:
    taxes = _add(detail, "impuestos")
    tax = _add(taxes, "impuesto")
    _add(tax, "codigo", "2")
    _add(tax, "codigoPorcentaje", line.tax_code)
    _add(tax, "tarifa", rate(line.rate))
    _add(tax, "baseImponible", money(line.base))
    _add(tax, "valor", money(line.tax))


def _details(root, doc, *, code_tag: str) -> None:
    details = _add(root, "detalles")
    for line in doc.lines:
        detail = _add(details, "detalle")
        if line.code:
            _add(detail, code_tag, line.code[:25])
        _add(detail, "descripcion", line.description[:300])
        _add(detail, "cantidad", unit(line.quantity))
        _add(detail, "precioUnitario", unit(line.unit_price))
        _add(detail, "descuento", money(line.discount))
        _add(detail, "precioTotalSinImpuesto", money(line.base))
        _line_taxes(detail, line)


def _info_adicional(root, doc) -> None:
    pairs = info_adicional(doc)[:15]  # the XSD allows at most 15
    if not pairs:
        return
    info = _add(root, "infoAdicional")
    for name, value in pairs:
        _add(info, "campoAdicional", value[:300]).set("nombre", name[:300])


def _payments(info, invoice: Invoice) -> None:
    pagos = _add(info, "pagos")
    for payment in invoice.effective_payments:
        pago = _add(pagos, "pago")
        _add(pago, "formaPago", payment.code)
        _add(pago, "total", money(payment.amount))
        if payment.term is not None:
            _add(pago, "plazo", str(payment.term))
            _add(pago, "unidadTiempo", payment.time_unit or "dias")


def _root(tag: str):
    return etree.Element(tag, id="comprobante", version=VERSION)


def _buyer(info, buyer) -> None:
    _add(info, "tipoIdentificacionComprador", buyer.id_type)
    _add(info, "razonSocialComprador", buyer.name[:300])
    _add(info, "identificacionComprador", buyer.identification)


def invoice_xml_build(invoice: Invoice) -> bytes:
    """Return the unsigned factura v1.1.0, validated against its XSD."""
    root = _root("factura")
    _info_tributaria(root, invoice)
    info = _add(root, "infoFactura")
    _add(info, "fechaEmision", invoice.fecha.strftime("%d/%m/%Y"))
    if invoice.issuer.dir_establecimiento:
        _add(info, "dirEstablecimiento", invoice.issuer.dir_establecimiento)
    _issuer_flags(info, invoice.issuer)
    _buyer(info, invoice.buyer)
    if invoice.buyer.address:
        _add(info, "direccionComprador", invoice.buyer.address[:300])
    _add(info, "totalSinImpuestos", money(invoice.subtotal))
    _add(info, "totalDescuento", money(invoice.total_discount))
    _total_con_impuestos(info, invoice, with_rate=True)
    _add(info, "propina", money(invoice.propina))
    _add(info, "importeTotal", money(invoice.total))
    _add(info, "moneda", "DOLAR")
    _payments(info, invoice)
    _details(root, invoice, code_tag="codigoPrincipal")
    _info_adicional(root, invoice)
    return _serialize_validated(root)


def credit_note_xml_build(note: CreditNote) -> bytes:
    """Return the unsigned notaCredito v1.1.0, validated against its XSD."""
    root = _root("notaCredito")
    _info_tributaria(root, note)
    info = _add(root, "infoNotaCredito")
    _add(info, "fechaEmision", note.fecha.strftime("%d/%m/%Y"))
    if note.issuer.dir_establecimiento:
        _add(info, "dirEstablecimiento", note.issuer.dir_establecimiento)
    _buyer(info, note.buyer)
    _issuer_flags(info, note.issuer)
    _add(info, "codDocModificado", note.modified_cod_doc)
    _add(info, "numDocModificado", note.modified_number)
    _add(info, "fechaEmisionDocSustento", note.modified_date.strftime("%d/%m/%Y"))
    _add(info, "totalSinImpuestos", money(note.subtotal))
    _add(info, "valorModificacion", money(note.total))
    _add(info, "moneda", "DOLAR")
    _total_con_impuestos(info, note, with_rate=False)
    _add(info, "motivo", note.reason.strip()[:300])
    _details(root, note, code_tag="codigoInterno")
    _info_adicional(root, note)
    return _serialize_validated(root)


def document_xml_build(document) -> bytes:
    """Dispatch on the document type (Invoice or CreditNote)."""
    if isinstance(document, CreditNote):
        return credit_note_xml_build(document)
    return invoice_xml_build(document)


def _serialize_validated(root) -> bytes:
    # The tree just built is validated as is (no serialise-and-parse round trip).
    _validate_tree(root)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


@lru_cache(maxsize=8)
def _schema_load(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def _schema(name: str) -> etree.XMLSchema:
    # Cached per file path, so pointing SRI_XSD_DIR elsewhere takes effect.
    return _schema_load(str(schemas.xsd_path(name)))


def validate(xml_bytes: bytes) -> None:
    """Raise XmlValidationError unless the document matches its SRI XSD.

    A ds:Signature child is ignored (removed from a copy): our schemas admit
    it, but the official XSDs (SRI_XSD_DIR) do not declare it.
    """
    root = etree.fromstring(xml_bytes)
    for signature in root.findall(SIGNATURE_TAG):
        root.remove(signature)  # root is our private parse, safe to modify
    _validate_tree(root)


def _validate_tree(root) -> None:
    kind = (etree.QName(root).localname, root.get("version"))
    name = _SCHEMA_BY_ROOT.get(kind)
    if name is None:
        raise XmlValidationError(kind[0], [f"unsupported document {kind}"])
    try:
        schema = _schema(name)
    except schemas.SchemaNotFound:
        if name in _EMITTED:
            raise  # a deployment without the schemas for what we emit
        raise XmlValidationError(
            kind[0], [f"no schema for {kind[0]} {kind[1]} in {schemas.xsd_dir()}"]
        ) from None
    if not schema.validate(root):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise XmlValidationError(etree.QName(root).localname, errors)


def authorised_xml_build(
    *, estado: str, numero: str, fecha: str, ambiente: str, comprobante: str
) -> bytes:
    """Wrap a signed comprobante the way SRI delivers authorised documents.

    This <autorizacion> file is what buyers and accountants import.
    """
    root = etree.Element("autorizacion")
    _add(root, "estado", estado)
    _add(root, "numeroAutorizacion", numero)
    _add(root, "fechaAutorizacion", fecha)
    _add(root, "ambiente", ambiente)
    _add(root, "comprobante").text = etree.CDATA(comprobante)
    _add(root, "mensajes")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
