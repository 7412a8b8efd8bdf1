import subprocess
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from fiscal.sri.pkcs12 import CertificateError, p12_load
from fiscal.sri.signing import (
    C14N,
    ECUADOR,
    NS_DS,
    NS_XADES,
    RSA_SHA1,
    SHA1,
    document_sign,
    issuer_name,
)
from fiscal.sri.xml import XmlValidationError, credit_note_xml_build, invoice_xml_build

from .certs import PASSWORD, p12_multi_key, p12_single, pki_make
from .sri_factories import credit_note_make, invoice_make

pytestmark = pytest.mark.xmlsec
NS = {"ds": NS_DS, "xades": NS_XADES}


@pytest.fixture(scope="module")
def pki():
    return pki_make()


@pytest.fixture(scope="module")
def identity(pki):
    return p12_load(p12_single(pki), PASSWORD)


def xmlsec_verify(xmlsec1, tmp_path, pki, signed: bytes, root_tag: str) -> bool:
    (tmp_path / "ca.pem").write_bytes(pki.ca_pem)
    (tmp_path / "doc.xml").write_bytes(signed)
    result = subprocess.run(
        [
            xmlsec1,
            "--verify",
            "--trusted-pem",
            str(tmp_path / "ca.pem"),
            # trust the certificate chain only, never the bare RSAKeyValue
            "--enabled-key-data",
            "x509",
            "--id-attr:id",
            root_tag,
            str(tmp_path / "doc.xml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def test_signed_invoice_verifies_with_xmlsec1(xmlsec1, tmp_path, pki, identity):
    signed = document_sign(invoice_xml_build(invoice_make()), identity)
    assert xmlsec_verify(xmlsec1, tmp_path, pki, signed, "factura")


def test_signed_credit_note_verifies_with_xmlsec1(xmlsec1, tmp_path, pki, identity):
    signed = document_sign(credit_note_xml_build(credit_note_make()), identity)
    assert xmlsec_verify(xmlsec1, tmp_path, pki, signed, "notaCredito")


def test_changing_one_digit_breaks_the_signature(xmlsec1, tmp_path, pki, identity):
    signed = document_sign(invoice_xml_build(invoice_make()), identity)
    tampered = signed.replace(b"<importeTotal>5.82<", b"<importeTotal>5.83<")
    assert tampered != signed
    assert not xmlsec_verify(xmlsec1, tmp_path, pki, tampered, "factura")


def test_changing_the_signing_time_breaks_the_signature(
    xmlsec1, tmp_path, pki, identity
):
    when = datetime(2026, 11, 20, 10, 30, tzinfo=ECUADOR)
    signed = document_sign(
        invoice_xml_build(invoice_make()), identity, signing_time=when
    )
    assert b"2026-11-20T10:30:00-05:00" in signed
    tampered = signed.replace(b"2026-11-20T10:30:00", b"2026-11-20T10:31:00")
    assert not xmlsec_verify(xmlsec1, tmp_path, pki, tampered, "factura")


def test_certificate_from_another_ca_is_rejected(xmlsec1, tmp_path, identity):
    signed = document_sign(invoice_xml_build(invoice_make()), identity)
    stranger = pki_make(slot=3)  # same CA name, different key
    assert not xmlsec_verify(xmlsec1, tmp_path, stranger, signed, "factura")


def test_signature_shape_matches_sri_requirements(identity):
    root = etree.fromstring(document_sign(invoice_xml_build(invoice_make()), identity))
    signature = root[-1]
    assert signature.tag == f"{{{NS_DS}}}Signature"  # root's last child
    info = signature.find("ds:SignedInfo", NS)
    assert info.find("ds:CanonicalizationMethod", NS).get("Algorithm") == C14N
    assert info.find("ds:SignatureMethod", NS).get("Algorithm") == RSA_SHA1
    refs = info.findall("ds:Reference", NS)
    assert len(refs) == 3
    assert refs[0].get("URI") == "#comprobante"
    assert (
        refs[0]
        .find("ds:Transforms/ds:Transform", NS)
        .get("Algorithm")
        .endswith("enveloped-signature")
    )
    assert refs[1].get("Type") == "http://uri.etsi.org/01903#SignedProperties"
    key_info = signature.find("ds:KeyInfo", NS)
    assert refs[2].get("URI") == "#" + key_info.get("Id")
    assert {r.find("ds:DigestMethod", NS).get("Algorithm") for r in refs} == {SHA1}
    assert key_info.find("ds:KeyValue/ds:RSAKeyValue/ds:Modulus", NS) is not None
    props = signature.find(
        "ds:Object/xades:QualifyingProperties/xades:SignedProperties", NS
    )
    fmt = props.find("xades:SignedDataObjectProperties/xades:DataObjectFormat", NS)
    assert fmt.get("ObjectReference") == "#" + refs[0].get("Id")
    serial = props.find(".//xades:IssuerSerial", NS)
    assert serial.findtext("ds:X509SerialNumber", namespaces=NS) == str(
        identity.certificate.serial_number
    )


def test_issuer_name_is_rfc4514_with_unknown_attributes_as_hex(identity):
    assert issuer_name(identity.certificate) == (
        "CN=AC PRUEBAS SOUTHERNPOS,"
        "2.5.4.97=#0c1356415445432d31373930303132333435303031,"
        "OU=ENTIDAD DE CERTIFICACION DE PRUEBA,O=SOUTHERNPOS PRUEBAS S.A.,C=EC"
    )


def test_invalid_document_is_never_signed(identity):
    data = invoice_xml_build(invoice_make()).replace(b"<ptoEmi>002<", b"<ptoEmi>02<")
    with pytest.raises(XmlValidationError, match="ptoEmi"):
        document_sign(data, identity)


def test_multi_key_p12_picks_the_signing_key(xmlsec1, tmp_path, pki):
    data, signing_cert = p12_multi_key(pki)
    naive = pkcs12.load_pkcs12(data, PASSWORD.encode())
    # cryptography alone returns the first (encryption) key: the SRI error 39 trap
    assert naive.key.public_key().public_numbers() != (
        signing_cert.public_key().public_numbers()
    )
    identity = p12_load(data, PASSWORD)
    assert identity.certificate == signing_cert
    signed = document_sign(invoice_xml_build(invoice_make()), identity)
    assert xmlsec_verify(xmlsec1, tmp_path, pki, signed, "factura")


def test_wrong_password_raises_certificate_error(pki):
    with pytest.raises(CertificateError, match="password"):
        p12_load(p12_single(pki), "otra")


def test_ber_encoded_multi_key_p12_still_picks_the_signing_key(pki):
    data, signing_cert = p12_multi_key(pki, ber=True)
    assert data[:2] == b"\x30\x80"  # indefinite length: not DER
    identity = p12_load(data, PASSWORD)
    assert identity.certificate == signing_cert
