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

import re

import pytest
from lxml import etree

from fiscal.sri import schemas
from fiscal.sri.xml import invoice_xml_build
from tests.sri_official import OFFICIAL_XSD_DIR

from .sri_factories import invoice_make
from .xsd_corpus import Case, demo_documents, factory_documents, parse_xml, verdict
from .xsd_mutations import corpus

pytestmark = pytest.mark.xsd

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
        root = parse_xml(data)
        assert verdict(schemas.OWN_XSD_DIR, root), origin
        assert verdict(OFFICIAL_XSD_DIR, root), origin


@pytest.mark.django_db
def test_our_schemas_and_the_sris_agree_over_the_corpus(sri_settings):
    sri_settings.SRI_SEND_ENABLED = False
    documents = factory_documents() | demo_documents()
    kinds = {origin.split("/")[0] for origin in documents}
    assert {"factura", "notaCredito", "iva", "demo"} <= kinds
    demo_roots = {
        etree.QName(parse_xml(data)).localname
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
            assert not verdict(schemas.OWN_XSD_DIR, case.root), case.label


def test_a_difference_outside_the_table_is_reported():
    """The check can fail: a looser schema of ours shows up as a difference."""
    root = parse_xml(invoice_xml_build(invoice_make()))
    root.find("infoTributaria/ruc").text = "1790012345"  # 10 digits: both refuse
    case = Case("probe", "infoTributaria/ruc too short", root)
    assert disagreements([case]) == ([], set())
    root.set("version", "2.0.0")  # ours refuses, the SRI's factura accepts...
    unexplained, _ = disagreements([Case("probe", "version changed", root)])
    assert unexplained == []  # ...both refuse: the ruc is still wrong
    root.find("infoTributaria/ruc").text = "1790012345001"
    unexplained, _ = disagreements([Case("probe", "unlisted label", root)])
    assert unexplained == ["probe: unlisted label: ours refuses, SRI accepts"]
