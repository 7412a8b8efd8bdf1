"""The corpus of tests/fiscal/test_xsd_agreement.py: the documents SouthernPOS
emits (factories and the demo), systematic mutations of each, and the verdict
of a schema directory on one document."""

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property

from django.core.management import call_command
from lxml import etree

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business
from fiscal.exports import ats_annulled_from_edoc, ats_sale_from_edoc
from fiscal.models import DocType, ElectronicDocument
from fiscal.sri import schemas
from fiscal.sri.ats import AtsAnnulled, AtsSale, ats_build
from fiscal.sri.documents import (
    RIMPE_NEGOCIO_POPULAR,
    RIMPE_NONE,
    Buyer,
    Line,
    Payment,
)
from fiscal.sri.xml import SIGNATURE_TAG, credit_note_xml_build, invoice_xml_build
from fixtures.demo import demo_businesses
from tests.sri_official import OFFICIAL_XSD_DIR

from .sri_factories import buyer_make, credit_note_make, invoice_make, issuer_make

D = Decimal
SCHEMA_FILES = {
    "factura": schemas.FACTURA_1_1_0,
    "notaCredito": schemas.NOTA_CREDITO_1_1_0,
    "iva": schemas.ATS,
}

# Values outside the catalogue of coded fields (wrong enumeration value).
OUT_OF_RANGE = {
    "ambiente": ["0", "3"],
    "tipoEmision": ["0", "3", "G", "e"],
    "codDoc": ["1", "001"],
    "tipoIdentificacionComprador": ["03", "09", "4"],
    "obligadoContabilidad": ["si", "SÍ", "TAL"],
    "contribuyenteRimpe": ["CONTRIBUYENTE RIMPE", "contribuyente régimen rimpe"],
    "codigo": ["1", "4", "22"],
    "codigoPorcentaje": ["12345", "A"],
    "formaPago": ["00", "22", "1"],
    "codDocModificado": ["1", "A1"],
    "TipoIDInformante": ["C", "RR"],
    "codigoOperativo": ["IVB", "iva"],
    "Mes": ["00", "13", "1"],
    "Anio": ["1999", "10000", "026"],
    "parteRelVtas": ["TAL", "si"],
    "tpIdCliente": ["4", "004"],
    "tipoCliente": ["1", "001"],
    "tipoComprobante": ["1", "1234", "a8"],
    "numEstabRuc": ["000", "1000", "01"],
    "codEstab": ["000", "1000", "01"],
    "secuencialInicio": ["0", "1000000000"],
    "secuencialFin": ["0", "1000000000"],
    "numeroComprobantes": ["-1", "1000000000000"],
    "unidadTiempo": ["d" * 11],
}


# --------------------------------------------------------------------- schemas


@cache
def _schema(directory: str, name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(f"{directory}/{name}"))


def verdict(directory, root) -> bool:
    return _schema(str(directory), SCHEMA_FILES[etree.QName(root).localname]).validate(
        root
    )


# ---------------------------------------------------------------------- corpus


@dataclass
class Case:
    origin: str  # which base document
    label: str  # the mutation ("original" for the document itself)
    root: etree._Element

    @property
    def kind(self) -> str:
        return etree.QName(self.root).localname

    @cached_property
    def ours(self) -> bool:
        return verdict(schemas.OWN_XSD_DIR, self.root)

    @cached_property
    def official(self) -> bool:
        return verdict(OFFICIAL_XSD_DIR, self.root)


def parse_xml(data: bytes):
    root = etree.fromstring(data)
    for signature in root.findall(SIGNATURE_TAG):  # as fiscal.sri.xml.validate
        root.remove(signature)
    return root


def _buyers():
    return {
        "ruc": buyer_make(id_type="04", identification="1790016919001"),
        "cedula": buyer_make(),
        "pasaporte": buyer_make(
            id_type="06", identification="AB123456", name="John O'Neil", phone=""
        ),
        "exterior": buyer_make(
            id_type="08", identification="X-2024/77", name="Acme GmbH", email=""
        ),
        "consumidor": Buyer.consumidor_final(),
    }


def _every_rate_lines():
    return tuple(
        Line(f"P-{code}", f"Producto tarifa {code}", D("1.5"), D("2.345678"), code)
        for code in ("0", "2", "3", "4", "5", "6", "7", "8")
    ) + (Line("", "Sin código", D(1), D("10"), "4", discount=D("10")),)


def factory_documents() -> dict[str, bytes]:
    """Facturas and credit notes the way the POS and the tests build them."""
    docs = {"factura/default": invoice_xml_build(invoice_make())}
    for name, buyer in _buyers().items():
        docs[f"factura/{name}"] = invoice_xml_build(
            invoice_make(buyer=buyer, payments=())
        )
    docs["factura/every-rate"] = invoice_xml_build(
        invoice_make(lines=_every_rate_lines(), propina=D(0))
    )
    total = invoice_make(propina=D(0)).total
    docs["factura/credit-payment"] = invoice_xml_build(
        invoice_make(
            propina=D(0),
            payments=(
                Payment("16", D("1.00")),
                Payment("19", total - D("1.50"), term=30, time_unit="dias"),
                Payment("20", D("0.50")),
            ),
        )
    )
    docs["factura/issuer-variants"] = invoice_xml_build(
        invoice_make(
            issuer=issuer_make(
                nombre_comercial="",
                dir_establecimiento="",
                obligado_contabilidad=False,
                contribuyente_especial="5368",
                rimpe=RIMPE_NEGOCIO_POPULAR,
                ambiente="2",
            ),
            extra_info=tuple((f"Campo {n}", f"Valor {n}") for n in range(20)),
        )
    )
    docs["factura/long-texts"] = invoice_xml_build(
        invoice_make(
            issuer=issuer_make(rimpe=RIMPE_NONE, razon_social="R" * 300),
            lines=(Line("C" * 40, "Descripción " * 40, D("0.000001"), D(9999), "4"),),
            buyer=buyer_make(name="N" * 300, address="Dir " * 100),
            payments=(),
        )
    )
    docs["notaCredito/default"] = credit_note_xml_build(credit_note_make())
    for name, buyer in _buyers().items():
        if name != "consumidor":  # never to consumidor final
            docs[f"notaCredito/{name}"] = credit_note_xml_build(
                credit_note_make(buyer=buyer)
            )
    docs["notaCredito/every-rate"] = credit_note_xml_build(
        credit_note_make(lines=_every_rate_lines(), reason="Anulación de venta")
    )
    docs["iva/month"] = ats_build(
        ruc="1790012345001",
        razon_social="Comercial Andina S.A.",
        year=2026,
        month=11,
        establishments=["001", "002"],
        sales=[
            AtsSale("01", "001", "05", "1710034065", "María", {"4": D("10")}, D("1.5")),
            AtsSale("01", "001", "05", "1710034065", "María", {"0": D(2)}, D(0)),
            AtsSale(
                "01",
                "002",
                "04",
                "1790016919001",
                "Empresa",
                {"4": D(100), "6": D(3)},
                D(15),
                ("19", "20"),
            ),
            AtsSale(
                "04", "001", "04", "1790016919001", "Empresa", {"4": D(5)}, D("0.75")
            ),
            AtsSale(
                "01", "002", "06", "AB123456", "John O'Neil", {"5": D(7)}, D("0.35")
            ),
            AtsSale(
                "01", "001", "07", "9999999999999", "CONSUMIDOR", {"0": D(1)}, D(0)
            ),
        ],
        annulled=[AtsAnnulled("01", "001", "002", 124, "1" * 49)],
    )
    docs["iva/empty-month"] = ats_build(
        ruc="1790012345001",
        razon_social="Tienda",
        year=2026,
        month=2,
        establishments=["001"],
        sales=[],
    )
    return docs


def demo_documents() -> dict[str, bytes]:
    """Every document `load_demo` leaves behind, and each business's ATS of them.

    (The demo's voids are of consumidor-final sales, annulled in the SRI portal:
    they appear in `anulados`; credit notes come from the factories.)
    """
    call_command("load_demo", sales=12, stdout=io.StringIO())
    docs = {}
    rucs = [spec["ruc"] for spec in demo_businesses()]
    for business in Business.objects.filter(ruc__in=rucs):
        with tenant_context(business):
            edocs = list(ElectronicDocument.objects.order_by("pk"))
            for edoc in edocs:
                first = not any(e.kind == edoc.kind for e in edocs[: edocs.index(edoc)])
                name = f"first-{edoc.kind}" if first else edoc.number
                docs[f"demo/{business.ruc}/{name}"] = edoc.signed_xml.encode()
            invoices = [e for e in edocs if e.kind == DocType.INVOICE]
            assert invoices, "the demo must leave invoices"
            sales = [
                ats_sale_from_edoc(e) for e in edocs if not e.needs_portal_annulment
            ]
            portal = [e for e in invoices if e.needs_portal_annulment]
            annulled = [ats_annulled_from_edoc(e) for e in portal or invoices[:2]]
            month = invoices[0].issue_date
            docs[f"demo/{business.ruc}/ats"] = ats_build(
                ruc=business.ruc,
                razon_social=business.razon_social,
                year=month.year,
                month=month.month,
                establishments=["001"],
                sales=sales,
                annulled=annulled,
            )
    return docs
