"""Anexo Transaccional Simplificado (ATS): the sales side, built with lxml.

Emits `ventas` (one detalleVentas per buyer and document type),
`ventasEstablecimiento` (totals per establishment) and `anulados`, and
validates the result against ats.xsd (ours by default, see schemas.py).
Only authorised documents belong in the ATS; credit notes subtract from
the totals.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from core.money import ZERO, round_money
from core.sri_codes import IdType

from . import schemas
from .documents import COD_DOC_NOTA_CREDITO
from .xml import XmlValidationError, money

ATS_INVOICE = "18"  # "documentos autorizados utilizados en ventas excepto N/C N/D"
ATS_CREDIT_NOTE = "04"
NO_OBJECT_CODES = {"6", "7"}  # no objeto / exento: baseNoGraIva


@dataclass(frozen=True)
class AtsSale:
    """One authorised document, reduced to what the ATS needs."""

    cod_doc: str  # 01 factura, 04 nota de crédito
    estab: str
    buyer_id_type: str
    buyer_identification: str
    buyer_name: str
    bases: dict[str, Decimal]  # IVA codigoPorcentaje -> base
    iva: Decimal
    payment_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtsAnnulled:
    cod_doc: str
    estab: str
    pto_emi: str
    secuencial: int
    authorization: str


@dataclass
class _Group:
    count: int = 0
    no_object: Decimal = ZERO
    zero: Decimal = ZERO
    taxed: Decimal = ZERO
    iva: Decimal = ZERO
    payments: set = field(default_factory=set)
    name: str = ""


def ascii_text(text: str, *, minimum: int = 1) -> str:
    """Letters, digits and spaces only (the ATS patterns refuse accents and dots)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = " ".join("".join(c if c.isalnum() else " " for c in plain).split())
    return cleaned.ljust(minimum, "X") if len(cleaned) < minimum else cleaned


def _split(sale: AtsSale) -> tuple[Decimal, Decimal, Decimal]:
    no_object = sum((v for k, v in sale.bases.items() if k in NO_OBJECT_CODES), ZERO)
    zero = sale.bases.get("0", ZERO)
    taxed = sum(sale.bases.values(), ZERO) - no_object - zero
    return no_object, zero, taxed


def _groups(sales) -> dict[tuple, _Group]:
    groups: dict[tuple, _Group] = defaultdict(_Group)
    for sale in sales:
        kind = ATS_CREDIT_NOTE if sale.cod_doc == COD_DOC_NOTA_CREDITO else ATS_INVOICE
        key = (sale.buyer_id_type, sale.buyer_identification, kind)
        group = groups[key]
        group.name = group.name or sale.buyer_name
        no_object, zero, taxed = _split(sale)
        group.count += 1
        group.no_object += no_object
        group.zero += zero
        group.taxed += taxed
        group.iva += sale.iva
        group.payments.update(sale.payment_codes)
    return groups


def _sign(sale: AtsSale) -> int:
    return -1 if sale.cod_doc == COD_DOC_NOTA_CREDITO else 1


def sales_total(sales) -> Decimal:
    """Net sales (bases, without IVA): invoices minus credit notes."""
    return round_money(
        sum((_sign(s) * sum(s.bases.values(), ZERO) for s in sales), ZERO)
    )


def _add(parent, tag: str, text: str | None = None):
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _detail(ventas, key: tuple, group: _Group) -> None:
    id_type, identification, kind = key
    detail = _add(ventas, "detalleVentas")
    _add(detail, "tpIdCliente", id_type)
    _add(detail, "idCliente", identification)
    if id_type != IdType.CONSUMIDOR_FINAL:
        _add(detail, "parteRelVtas", "NO")
    if id_type == IdType.PASAPORTE:
        _add(detail, "tipoCliente", "01")
        _add(detail, "denoCli", ascii_text(group.name))
    _add(detail, "tipoComprobante", kind)
    _add(detail, "tipoEmision", "E")
    _add(detail, "numeroComprobantes", str(group.count))
    for tag, value in (
        ("baseNoGraIva", group.no_object),
        ("baseImponible", group.zero),
        ("baseImpGrav", group.taxed),
        ("montoIva", group.iva),
    ):
        _add(detail, tag, money(value))
    _add(detail, "montoIce", money(ZERO))
    _add(detail, "valorRetIva", money(ZERO))
    _add(detail, "valorRetRenta", money(ZERO))
    if kind == ATS_INVOICE and group.payments:
        payments = _add(detail, "formasDePago")
        for code in sorted(group.payments):
            _add(payments, "formaPago", code)


def _establishments(root, sales, establishments) -> None:
    totals = dict.fromkeys(establishments, ZERO)
    for sale in sales:
        totals[sale.estab] = totals.get(sale.estab, ZERO) + _sign(sale) * sum(
            sale.bases.values(), ZERO
        )
    section = _add(root, "ventasEstablecimiento")
    for code in sorted(totals):
        entry = _add(section, "ventaEst")
        _add(entry, "codEstab", code)
        _add(entry, "ventasEstab", money(totals[code]))
        _add(entry, "ivaComp", money(ZERO))


def _annulled(root, annulled) -> None:
    section = _add(root, "anulados")
    for item in annulled:
        entry = _add(section, "detalleAnulados")
        _add(entry, "tipoComprobante", item.cod_doc)
        _add(entry, "establecimiento", item.estab)
        _add(entry, "puntoEmision", item.pto_emi)
        _add(entry, "secuencialInicio", str(item.secuencial))
        _add(entry, "secuencialFin", str(item.secuencial))
        _add(entry, "autorizacion", item.authorization)


def ats_build(
    *,
    ruc: str,
    razon_social: str,
    year: int,
    month: int,
    establishments: list[str],
    sales: list[AtsSale],
    annulled: list[AtsAnnulled] = (),
) -> bytes:
    """Return the month's ATS (sales side), validated against ats.xsd."""
    root = etree.Element("iva")
    _add(root, "TipoIDInformante", "R")
    _add(root, "IdInformante", ruc)
    _add(root, "razonSocial", ascii_text(razon_social, minimum=5))
    _add(root, "Anio", f"{year:04d}")
    _add(root, "Mes", f"{month:02d}")
    _add(root, "numEstabRuc", f"{max(len(establishments), 1):03d}")
    _add(root, "totalVentas", money(sales_total(sales)))
    _add(root, "codigoOperativo", "IVA")
    ventas = _add(root, "ventas")
    for key, group in sorted(_groups(sales).items()):
        _detail(ventas, key, group)
    _establishments(root, sales, establishments)
    _annulled(root, annulled)
    data = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    ats_validate(data)
    return data


@lru_cache(maxsize=2)
def _schema_load(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def _schema() -> etree.XMLSchema:
    # Cached per file path, so pointing SRI_XSD_DIR elsewhere takes effect.
    return _schema_load(str(schemas.xsd_path(schemas.ATS)))


def ats_validate(data: bytes) -> None:
    schema = _schema()
    if not schema.validate(etree.fromstring(data)):
        errors = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise XmlValidationError("ATS", errors)
