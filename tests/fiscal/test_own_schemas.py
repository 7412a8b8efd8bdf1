"""Our own SRI schemas (fiscal/sri/xsd): the default, shipped with the code.

These run everywhere, with no official file beside the checkout;
test_xsd_agreement compares our verdicts with the SRI's schemas.
"""

import copy

import pytest
from django.conf import settings
from lxml import etree

from fiscal.sri import schemas
from fiscal.sri.xml import (
    SIGNATURE_TAG,
    XmlValidationError,
    credit_note_xml_build,
    invoice_xml_build,
    validate,
)

from .edoc_helpers import invoice_for
from .sri_factories import credit_note_make, invoice_make


def _ours(root) -> bool:
    name = {"factura": schemas.FACTURA_1_1_0, "notaCredito": schemas.NOTA_CREDITO_1_1_0}
    path = schemas.OWN_XSD_DIR / name[etree.QName(root).localname]
    return etree.XMLSchema(etree.parse(str(path))).validate(root)


def test_our_schemas_are_the_default_and_live_in_the_package():
    assert schemas.xsd_dir() == schemas.OWN_XSD_DIR
    assert str(schemas.OWN_XSD_DIR) == settings.SRI_XSD_DIR
    assert "shared" not in schemas.OWN_XSD_DIR.parts
    for name in (schemas.FACTURA_1_1_0, schemas.NOTA_CREDITO_1_1_0, schemas.ATS):
        assert schemas.xsd_path(name).parent == schemas.OWN_XSD_DIR


def test_sri_xsd_dir_still_selects_other_schemas(settings, tmp_path):
    settings.SRI_XSD_DIR = str(tmp_path)  # e.g. the official ones; here: none
    with pytest.raises(schemas.SchemaNotFound, match="factura_V1.1.0.xsd"):
        invoice_xml_build(invoice_make())
    settings.SRI_XSD_DIR = str(schemas.OWN_XSD_DIR)
    invoice_xml_build(invoice_make())


def test_a_version_we_ship_no_schema_for_is_refused_not_crashed():
    data = invoice_xml_build(invoice_make()).replace(b'"1.1.0"', b'"1.0.0"', 1)
    with pytest.raises(XmlValidationError, match="no schema"):
        validate(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.set("version", "2.0.0"), "version"),
        (lambda r: r.attrib.pop("id"), "id"),
        (lambda r: r.find("infoFactura/totalDescuento").__setattr__("text", "-1.00"),
         "totalDescuento"),
        (lambda r: r.find("infoFactura/obligadoContabilidad").addnext(
            etree.fromstring("<comercioExterior>EXPORTADOR</comercioExterior>")),
         "comercioExterior"),
    ],
)  # fmt: skip
def test_ours_is_stricter_where_it_says_so(change, field):
    root = etree.fromstring(invoice_xml_build(invoice_make()))
    assert _ours(root)
    change(root)
    assert not _ours(root), field


def test_credit_note_line_needs_its_tax():
    root = etree.fromstring(credit_note_xml_build(credit_note_make()))
    tax = root.find("detalles/detalle/impuestos/impuesto")
    tax.remove(tax.find("tarifa"))
    assert not _ours(root)


@pytest.mark.django_db
def test_signed_documents_validate_with_the_signature_in_place(certified):
    """Ours admit the XAdES ds:Signature (processContents lax) as last child."""
    from fiscal.services import edoc_create, edoc_sign

    edoc = edoc_create(
        business=certified, document=invoice_for(certified, 1), enqueue=False
    )
    edoc_sign(edoc=edoc)
    signed = etree.fromstring(edoc.signed_xml.encode())
    assert signed[-1].tag == SIGNATURE_TAG
    assert _ours(signed)
    validate(edoc.signed_xml.encode())
    twice = copy.deepcopy(signed)
    twice.append(copy.deepcopy(signed[-1]))
    assert not _ours(twice)  # at most one signature
    foreign = copy.deepcopy(signed)
    foreign[-1].tag = "{urn:other}Signature"
    assert not _ours(foreign)  # only the xmldsig namespace
    misplaced = copy.deepcopy(signed)
    misplaced.insert(0, misplaced[-1])
    assert not _ours(misplaced)  # the root's last child
