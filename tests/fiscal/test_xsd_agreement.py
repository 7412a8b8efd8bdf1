"""Our SRI schemas (fiscal/sri/xsd) and the SRI's own give the same verdicts.

The corpus is every kind of document SouthernPOS emits — facturas with every
IVA rate, discounts, tips, buyers of each identification type, several and
credit payments; credit notes; the month's ATS — built by the product's own
code from the test factories and from `load_demo`, plus systematic mutations
of each: every element removed, duplicated, moved, emptied, made over-long,
given a wrong pattern, a value out of its range or padded with spaces, and
every attribute removed, emptied or made over-long.

Each document gets a verdict from our schema and from the official one. They
must agree, except for the short table INTENDED below: the places where ours
is deliberately stricter (each also marked "MÁS ESTRICTO" in the XSD). A
difference the table does not explain fails the test, a difference in the
other direction (ours looser) always fails, and a table entry no document
exercises fails too, so the table cannot go stale.

Signed documents are compared the way the product validates them (the
ds:Signature stripped, since the SRI's XSDs do not declare it); a separate
test checks that ours also accepts the signature in place.

Needs the SRI's schemas beside the checkout (marker `xsd`, see
tests/sri_official.py); our schemas alone are exercised by every other test.
"""

import copy
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property

import pytest
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

pytestmark = pytest.mark.xsd

D = Decimal
SCHEMA_FILES = {
    "factura": schemas.FACTURA_1_1_0,
    "notaCredito": schemas.NOTA_CREDITO_1_1_0,
    "iva": schemas.ATS,
}
MIN_CORPUS = 300

# Intended differences: (root, regex over the mutation label, why). In every
# one OUR schema refuses a document the SRI's accepts; never the other way.
INTENDED = [
    (
        "factura|notaCredito",
        r"^@(id|version) (removed|emptied|over-long|wrong pattern|out of range)$",
        "root id='comprobante' and version='1.1.0' are required and fixed",
    ),
    (
        "factura",
        r"^(infoFactura/totalDescuento|infoFactura/totalConImpuestos/totalImpuesto"
        r"/descuentoAdicional) negative$",
        "a discount is never negative (the SRI's XSD sets no minimum)",
    ),
    (
        "notaCredito",
        r"^detalles/detalle/impuestos( emptied|/impuesto removed"
        r"|/impuesto/tarifa removed)$",
        "every credit-note line carries an impuesto with its tarifa",
    ),
    (
        "factura|notaCredito|iva",
        r"^section never emitted: ",
        "format sections SouthernPOS never emits are not declared",
    ),
]

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


def _verdict(directory, root) -> bool:
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
        return _verdict(schemas.OWN_XSD_DIR, self.root)

    @cached_property
    def official(self) -> bool:
        return _verdict(OFFICIAL_XSD_DIR, self.root)


def _parse(data: bytes):
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


# ------------------------------------------------------------------- mutations


def _path(element) -> str:
    names = []
    while element.getparent() is not None:
        names.append(etree.QName(element).localname)
        element = element.getparent()
    return "/".join(reversed(names))


def _leaf_values(tag: str, value: str) -> list[tuple[str, str]]:
    """(mutation, new text) for one leaf element holding `value`."""
    out = [
        ("emptied", ""),
        ("over-long", (value or "9") * (320 // max(len(value), 1) + 1)),
        ("wrong pattern", "x" + value),
        ("wrong pattern", value + "\n" + value),
        ("negative", "-" + value),
        ("padded", f" {value} "),
    ]
    if value.isdigit():
        n = len(value)
        out += [
            ("out of range", "9" * n),
            ("out of range", "0" * n),
            ("over-long", value + "0"),
            ("too short", value[:-1]),
        ]
    if re.fullmatch(r"\d+\.\d+", value):
        out += [
            ("too many decimals", value + "1"),
            ("too many digits", "9" * 13 + value),
            ("wrong pattern", value.replace(".", ",")),
            ("wrong pattern", value.split(".")[0]),
        ]
    out += [("out of range", v) for v in OUT_OF_RANGE.get(tag, [])]
    return out


# Every maxLength of the formats: a text at each limit and one past it.
LENGTH_LIMITS = (1, 2, 3, 4, 8, 9, 10, 13, 15, 20, 25, 40, 49, 300, 500)


def _boundary_values(value: str) -> list[tuple[str, str]]:
    """Lengths and digit counts right at, and just past, every limit."""
    if re.fullmatch(r"\d+\.\d+", value):
        fraction = len(value.split(".")[1])
        return [
            (f"{digits} integer digits", "9" * digits + value[-fraction - 1 :])
            for digits in (11, 12, 13, 16, 17)
        ]
    fill = value[-1] if value else "a"
    return [
        (f"length {n}", (value + fill * n)[:n])
        for limit in LENGTH_LIMITS
        for n in (limit, limit + 1)
    ]


def mutations(root, *, boundaries=False) -> list[tuple[str, etree._Element]]:
    """Systematic mutations, one per (element path, kind of change)."""
    out = []
    seen = set()

    def mutate(change, label):
        copy_root = copy.deepcopy(root)
        target = copy_root.xpath(xpath)[0]
        change(target)
        out.append((label, copy_root))

    elements = [root, *root.iterdescendants()]
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        path = _path(element)
        xpath = root.getroottree().getpath(element)
        for name, value in element.attrib.items():
            if ("@" + name, path) in seen:
                continue
            seen.add(("@" + name, path))
            prefix = f"{path + '/' if path else ''}@{name}"
            for label, text in (
                ("removed", None),
                ("emptied", ""),
                ("over-long", "v" * 301),
                ("wrong pattern", value + " x"),
                ("out of range", "1.0.0" if name == "version" else "Comprobante"),
            ):
                mutate(
                    lambda t, n=name, v=text: (
                        t.attrib.pop(n) if v is None else t.set(n, v)
                    ),
                    f"{prefix} {label}",
                )
        if element is root or path in seen:
            continue
        seen.add(path)
        parent = element.getparent()
        mutate(lambda t: t.getparent().remove(t), f"{path} removed")
        mutate(lambda t: t.addnext(copy.deepcopy(t)), f"{path} duplicated")
        if element.getnext() is not None and element.getnext().tag != element.tag:
            mutate(lambda t: t.getnext().addnext(t), f"{path} moved")
        if element.getprevious() is None and len(parent) > 1:
            mutate(lambda t: t.getparent().append(t), f"{path} moved")
        if len(element):
            mutate(lambda t: [t.remove(c) for c in list(t)], f"{path} emptied")
            continue
        tag = etree.QName(element).localname
        values = _leaf_values(tag, element.text or "")
        if boundaries:
            values += _boundary_values(element.text or "")
        for label, text in values:

            def set_text(t, text=text):
                t.text = text

            mutate(set_text, f"{path} {label}")
    return out


# Sections of the formats that SouthernPOS never emits, each valid for the SRI:
# (root, insert after this xpath, xml of the section).
_COMPENSACIONES = (
    "<compensaciones><compensacion><codigo>1</codigo><tarifa>2.00</tarifa>"
    "<valor>0.10</valor></compensacion></compensaciones>"
)
_MAQUINA = (
    "<maquinaFiscal><marca>A</marca><modelo>B</modelo><serie>C</serie></maquinaFiscal>"
)
_RETENCIONES = (
    "<retenciones><retencion><codigo>4</codigo><codigoPorcentaje>327"
    "</codigoPorcentaje><tarifa>0.00</tarifa><valor>0.00</valor></retencion>"
    "</retenciones>"
)
NEVER_EMITTED = [
    ("factura", "infoFactura/obligadoContabilidad",
     "<comercioExterior>EXPORTADOR</comercioExterior>"),
    ("factura", "infoFactura/totalDescuento", "<codDocReembolso>41</codDocReembolso>"),
    ("factura", "infoFactura/totalConImpuestos", _COMPENSACIONES),
    ("factura", "detalles", _RETENCIONES),
    ("factura", "detalles", "<tipoNegociable><correo>a@b.ec</correo></tipoNegociable>"),
    ("factura", "detalles", _MAQUINA),
    ("notaCredito", "infoNotaCredito/totalSinImpuestos", _COMPENSACIONES),
    ("notaCredito", "detalles", _MAQUINA),
    ("iva", "Mes", "<regimenMicroempresa>SI</regimenMicroempresa>"),
    ("iva", "codigoOperativo", "<compras/>"),
    ("iva", "ventasEstablecimiento", "<exportaciones/>"),
    ("iva", "anulados", "<rendFinancieros/>"),
]  # fmt: skip


def never_emitted(root) -> list[tuple[str, etree._Element]]:
    out = []
    for kind, after, xml in NEVER_EMITTED:
        if kind != etree.QName(root).localname or root.find(after) is None:
            continue
        changed = copy.deepcopy(root)
        changed.find(after).addnext(etree.fromstring(xml))
        label = f"section never emitted: {etree.fromstring(xml).tag}"
        out.append((label, changed))
    return out


# Originals whose every element is mutated; the others (more buyers, the rest
# of the demo) differ from these only in values, so they enter as they are.
# BOUNDARIES: also every length and digit count at and just past each limit.
MUTATED = re.compile(
    r"^(factura/(default|every-rate|credit-payment|issuer-variants|pasaporte)"
    r"|notaCredito/(default|every-rate)|iva/month|demo/.*/(ats|first-.*))$"
)
BOUNDARIES = {"factura/issuer-variants", "notaCredito/default", "iva/month"}


def corpus(documents: dict[str, bytes]) -> list[Case]:
    cases = []
    for origin, data in documents.items():
        root = _parse(data)
        cases.append(Case(origin, "original", root))
        cases += [Case(origin, label, r) for label, r in never_emitted(root)]
        if MUTATED.match(origin):
            changed = mutations(root, boundaries=origin in BOUNDARIES)
            cases += [Case(origin, label, r) for label, r in changed]
    return cases


# ----------------------------------------------------------------------- check


def _intended(case: Case) -> str | None:
    for kinds, pattern, why in INTENDED:
        if re.fullmatch(kinds, case.kind) and re.search(pattern, case.label):
            return why
    return None


def disagreements(cases: list[Case]) -> tuple[list[str], set[str]]:
    """(unexplained differences, table entries that explained one)."""
    unexplained, used = [], set()
    for case in cases:
        ours, official = case.ours, case.official
        if ours == official:
            continue
        why = _intended(case)
        if why and not ours and official:
            used.add(why)
            continue
        side = "ours accepts, SRI refuses" if ours else "ours refuses, SRI accepts"
        unexplained.append(f"{case.origin}: {case.label}: {side}")
    return unexplained, used


def test_every_original_document_is_valid_for_both():
    for origin, data in factory_documents().items():
        root = _parse(data)
        assert _verdict(schemas.OWN_XSD_DIR, root), origin
        assert _verdict(OFFICIAL_XSD_DIR, root), origin


@pytest.mark.django_db
def test_our_schemas_and_the_sris_agree_over_the_corpus(sri_settings):
    sri_settings.SRI_SEND_ENABLED = False
    documents = factory_documents() | demo_documents()
    kinds = {origin.split("/")[0] for origin in documents}
    assert {"factura", "notaCredito", "iva", "demo"} <= kinds
    demo_roots = {
        etree.QName(_parse(data)).localname
        for origin, data in documents.items()
        if origin.startswith("demo/")
    }
    assert demo_roots == {"factura", "iva"}  # the demo's voids go to the portal

    cases = corpus(documents)
    valid = sum(c.official for c in cases)
    print(f"corpus: {len(cases)} documents ({len(documents)} originals), "
          f"{valid} valid for the SRI's schemas")  # fmt: skip
    assert len(cases) >= MIN_CORPUS
    assert MIN_CORPUS / 10 < valid < len(cases) - MIN_CORPUS / 10  # both verdicts

    unexplained, used = disagreements(cases)
    assert unexplained == [], "\n".join(unexplained[:40])
    assert used == {why for _, _, why in INTENDED}, "an INTENDED entry is stale"


def test_every_intended_difference_is_ours_stricter():
    """The table never lets ours accept what the SRI refuses."""
    cases = corpus({"factura": invoice_xml_build(invoice_make())})
    for case in cases:
        if _intended(case):
            assert not _verdict(schemas.OWN_XSD_DIR, case.root), case.label


def test_a_difference_outside_the_table_is_reported():
    """The check can fail: a looser schema of ours shows up as a difference."""
    root = _parse(invoice_xml_build(invoice_make()))
    root.find("infoTributaria/ruc").text = "1790012345"  # 10 digits: both refuse
    case = Case("probe", "infoTributaria/ruc too short", root)
    assert disagreements([case]) == ([], set())
    root.set("version", "2.0.0")  # ours refuses, the SRI's factura accepts...
    unexplained, _ = disagreements([Case("probe", "version changed", root)])
    assert unexplained == []  # ...both refuse: the ruc is still wrong
    root.find("infoTributaria/ruc").text = "1790012345001"
    unexplained, _ = disagreements([Case("probe", "unlisted label", root)])
    assert unexplained == ["probe: unlisted label: ours refuses, SRI accepts"]
