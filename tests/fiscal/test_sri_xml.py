from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from fiscal.sri.access_key import InvalidAccessKey
from fiscal.sri.documents import Buyer, DocumentError, Line, Payment
from fiscal.sri.xml import (
    XmlValidationError,
    credit_note_xml_build,
    invoice_xml_build,
    unit,
    validate,
)
from tests.sri_official import OFFICIAL_XSD_DIR, SAMPLES_DIR

from .sri_factories import buyer_make, credit_note_make, invoice_make, issuer_make

# The SRI's public samples (beside the checkout, never in the repository).
SAMPLE_NAMES = [
    "scripts-facturacion/factura.xml",
    "scripts-facturacion/notaCredito.xml",
    "ec-sri-invoice-signer/invoice/signed.xml",
    "ec-sri-invoice-signer/credit-note/signed.xml",
]


def test_invoice_validates_and_carries_the_computed_totals():
    invoice = invoice_make()
    root = etree.fromstring(invoice_xml_build(invoice))
    validate(etree.tostring(root))
    assert root.get("id") == "comprobante" and root.get("version") == "1.1.0"
    assert root.findtext("infoTributaria/claveAcceso") == invoice.access_key
    assert root.findtext("infoFactura/totalSinImpuestos") == "4.87"
    assert root.findtext("infoFactura/totalDescuento") == "0.10"
    assert root.findtext("infoFactura/propina") == "0.38"
    assert root.findtext("infoFactura/importeTotal") == "5.82"
    iva15 = root.find(
        "infoFactura/totalConImpuestos/totalImpuesto[codigoPorcentaje='4']"
    )
    assert (iva15.findtext("baseImponible"), iva15.findtext("valor")) == (
        "3.80",
        "0.57",
    )
    pagos = root.findall("infoFactura/pagos/pago")
    assert [(p.findtext("formaPago"), p.findtext("total")) for p in pagos] == [
        ("01", "4.82"),
        ("19", "1.00"),
    ]


def test_invoice_line_keeps_six_decimals_of_unit_price():
    root = etree.fromstring(invoice_xml_build(invoice_make()))
    second = root.findall("detalles/detalle")[1]
    assert second.findtext("cantidad") == "3.50"
    assert second.findtext("precioUnitario") == "0.333333"
    # 3.5 x 0.333333 = 1.1666655 -> 1.17 - 0.10 discount
    assert second.findtext("precioTotalSinImpuesto") == "1.07"


def test_unit_formatting():
    assert unit(Decimal("1.5")) == "1.50"
    assert unit(Decimal(2)) == "2.00"
    assert unit(Decimal("0.1234567")) == "0.123457"


def test_propina_and_pagos_are_always_emitted():
    invoice = invoice_make(propina=Decimal(0), payments=())
    root = etree.fromstring(invoice_xml_build(invoice))
    assert root.findtext("infoFactura/propina") == "0.00"
    pago = root.find("infoFactura/pagos/pago")
    assert pago.findtext("formaPago") == "01"
    assert pago.findtext("total") == root.findtext("infoFactura/importeTotal")


def test_info_adicional_lists_known_contact_data_only():
    invoice = invoice_make(buyer=buyer_make(phone="", address=""))
    root = etree.fromstring(invoice_xml_build(invoice))
    fields = {c.get("nombre"): c.text for c in root.iterfind("infoAdicional/*")}
    assert fields == {"Email": "maria@example.com"}
    assert root.find("infoFactura/direccionComprador") is None


def test_consumidor_final_invoice_validates():
    invoice = invoice_make(buyer=Buyer.consumidor_final())
    root = etree.fromstring(invoice_xml_build(invoice))
    assert root.findtext("infoFactura/identificacionComprador") == "9999999999999"
    assert root.find("infoAdicional") is None


def test_credit_note_validates_and_references_the_invoice():
    note = credit_note_make()
    root = etree.fromstring(credit_note_xml_build(note))
    assert root.findtext("infoTributaria/codDoc") == "04"
    info = root.find("infoNotaCredito")
    assert info.findtext("numDocModificado") == "001-002-000000123"
    assert info.findtext("fechaEmisionDocSustento") == "20/11/2026"
    assert info.findtext("valorModificacion") == "3.45"
    assert info.findtext("motivo") == "Devolución de mercadería"


def test_credit_note_to_consumidor_final_is_refused():
    with pytest.raises(DocumentError, match="consumidor final"):
        credit_note_make(buyer=Buyer.consumidor_final())


def test_bad_ruc_length_is_rejected_before_any_xml_exists():
    invoice = invoice_make(issuer=issuer_make(ruc="179001234500"))
    with pytest.raises(InvalidAccessKey, match="ruc must be 13 digits"):
        invoice_xml_build(invoice)


def test_schema_violation_in_generated_document_raises():
    invoice = invoice_make(issuer=issuer_make(contribuyente_especial="12"))
    with pytest.raises(XmlValidationError, match="contribuyenteEspecial"):
        invoice_xml_build(invoice)


def test_validator_rejects_a_tampered_document():
    data = invoice_xml_build(invoice_make())
    broken = data.replace(b"<ruc>1790012345001</ruc>", b"<ruc>17900123450</ruc>")
    with pytest.raises(XmlValidationError, match="ruc") as info:
        validate(broken)
    assert info.value.errors


def test_validator_rejects_too_many_decimals_in_money():
    data = invoice_xml_build(invoice_make())
    broken = data.replace(b"<propina>0.38</propina>", b"<propina>0.385</propina>")
    with pytest.raises(XmlValidationError, match="propina"):
        validate(broken)


def test_payments_must_add_up_to_the_total():
    with pytest.raises(DocumentError, match="payments add up"):
        invoice_make(payments=(Payment("01", Decimal("1.00")),))


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        Line("X", "x", 1.5, Decimal(1), "4")


@pytest.mark.xsd
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_public_samples_validate_with_signature_stripped(name, settings):
    data = (SAMPLES_DIR / name).read_bytes()
    settings.SRI_XSD_DIR = str(OFFICIAL_XSD_DIR)  # what a deployer may choose
    validate(data)
    settings.SRI_XSD_DIR = None  # our own schemas know the 1.1.0 format
    if etree.fromstring(data).get("version") == "1.1.0":
        validate(data)
    else:  # we ship no 1.0.0 schema: a clear refusal, never a crash
        with pytest.raises(XmlValidationError, match="no schema"):
            validate(data)


def test_tax_totals_group_by_code_and_reconcile():
    invoice = invoice_make(
        lines=[
            Line("A", "a", Decimal(1), Decimal("0.05"), "4"),
            Line("B", "b", Decimal(1), Decimal("0.05"), "4"),
            Line("C", "c", Decimal(1), Decimal(10), "5"),
        ],
        fecha=date(2026, 1, 2),
    )
    by_code = {t.percentage_code: t for t in invoice.tax_totals}
    # per-line tax would be 0.01 + 0.01; SRI recomputes 0.10 x 15 % = 0.015 -> 0.02
    assert by_code["4"].base == Decimal("0.10") and by_code["4"].value == Decimal(
        "0.02"
    )
    assert by_code["5"].value == Decimal("0.50")
    assert invoice.total == Decimal("10.10") + Decimal("0.52") + invoice.propina
