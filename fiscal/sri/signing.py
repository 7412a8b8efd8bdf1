"""XAdES-BES enveloped signature in the exact shape the SRI verifier accepts.

SRI requires RSA-SHA1 with SHA1 digests and inclusive C14N 1.0, XAdES
v1.3.2, three references (#comprobante with the enveloped-signature
transform, the SignedProperties and the KeyInfo), and the signature as the
root's last child. signxml refuses SHA1, so the signature is assembled here
with lxml and signed with `cryptography`; the tests verify it with xmlsec1.
"""

import base64
import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID
from lxml import etree

from . import xml as sri_xml
from .pkcs12 import SigningIdentity

NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_XADES = "http://uri.etsi.org/01903/v1.3.2#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
ECUADOR = timezone(timedelta(hours=-5))

# RFC 4514 section 3 keywords; any other attribute (e.g. organizationIdentifier,
# emailAddress, serialNumber) is written as OID=#hex-DER, the form Java's
# X500Principal (used by SRI's verifier) produces, so the names compare equal.
_RFC4514_KEYWORDS = {
    NameOID.COMMON_NAME: "CN",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COUNTRY_NAME: "C",
    NameOID.STREET_ADDRESS: "STREET",
    NameOID.DOMAIN_COMPONENT: "DC",
    NameOID.USER_ID: "UID",
}


class SigningError(ValueError):
    """The document cannot be signed (not a comprobante, or already signed)."""


def _ds(tag: str) -> str:
    return f"{{{NS_DS}}}{tag}"


def _xades(tag: str) -> str:
    return f"{{{NS_XADES}}}{tag}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _c14n(element) -> bytes:
    # Inclusive C14N 1.0 without comments, as a "#id" same-document reference
    # requires; lxml carries the in-scope ancestor namespaces into the subset.
    return etree.tostring(element, method="c14n", exclusive=False, with_comments=False)


def _sha1_b64(data: bytes) -> str:
    return _b64(hashlib.sha1(data).digest())  # noqa: S324 - SRI mandates SHA1


def _int_b64(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _sub(parent, tag: str, text: str | None = None, **attrs):
    child = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        child.text = text
    return child


def issuer_name(certificate: x509.Certificate) -> str:
    """Return the certificate issuer as an RFC 4514 string, most specific first."""
    rdns = reversed(certificate.issuer.rdns)
    return ",".join("+".join(_attribute_text(a) for a in rdn) for rdn in rdns)


def _attribute_text(attribute: x509.NameAttribute) -> str:
    keyword = _RFC4514_KEYWORDS.get(attribute.oid)
    if keyword:
        return attribute.rfc4514_string()
    return f"{attribute.oid.dotted_string}=#{_attribute_der(attribute).hex()}"


def _attribute_der(attribute: x509.NameAttribute) -> bytes:
    value = attribute.value
    raw = value if isinstance(value, bytes) else value.encode("utf-8")
    tag = getattr(getattr(attribute, "_type", None), "value", 0x0C)  # UTF8String
    if tag == 0x1E:  # BMPString
        raw = value.encode("utf-16-be")
    return bytes([tag]) + _der_length(len(raw)) + raw


def _der_length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _signed_info(signature, ids: dict[str, str]):
    info = _sub(signature, _ds("SignedInfo"), Id=ids["signed_info"])
    _sub(info, _ds("CanonicalizationMethod"), Algorithm=C14N)
    _sub(info, _ds("SignatureMethod"), Algorithm=RSA_SHA1)
    return info


def _reference(
    signed_info, *, uri: str, ref_id: str, ref_type: str = "", enveloped: bool = False
):
    attrs = {"Id": ref_id, "URI": uri}
    if ref_type:
        attrs["Type"] = ref_type
    reference = _sub(signed_info, _ds("Reference"), **attrs)
    if enveloped:
        transforms = _sub(reference, _ds("Transforms"))
        _sub(transforms, _ds("Transform"), Algorithm=ENVELOPED)
    _sub(reference, _ds("DigestMethod"), Algorithm=SHA1)
    return _sub(reference, _ds("DigestValue"))


def _key_info(signature, identity: SigningIdentity, key_info_id: str):
    key_info = _sub(signature, _ds("KeyInfo"), Id=key_info_id)
    x509_data = _sub(key_info, _ds("X509Data"))
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    _sub(x509_data, _ds("X509Certificate"), _b64(der))
    numbers = identity.key.public_key().public_numbers()
    rsa_value = _sub(_sub(key_info, _ds("KeyValue")), _ds("RSAKeyValue"))
    _sub(rsa_value, _ds("Modulus"), _int_b64(numbers.n))
    _sub(rsa_value, _ds("Exponent"), _int_b64(numbers.e))
    return key_info


def _signed_properties(signature, identity, ids: dict[str, str], signing_time):
    obj = _sub(signature, _ds("Object"), Id=ids["object"])
    qualifying = etree.SubElement(
        obj,
        _xades("QualifyingProperties"),
        Target=f"#{ids['signature']}",
        nsmap={"xades": NS_XADES},
    )
    props = _sub(qualifying, _xades("SignedProperties"), Id=ids["signed_props"])
    sig_props = _sub(props, _xades("SignedSignatureProperties"))
    _sub(sig_props, _xades("SigningTime"), signing_time.isoformat(timespec="seconds"))
    cert = _sub(_sub(sig_props, _xades("SigningCertificate")), _xades("Cert"))
    digest = _sub(cert, _xades("CertDigest"))
    _sub(digest, _ds("DigestMethod"), Algorithm=SHA1)
    der = identity.certificate.public_bytes(serialization.Encoding.DER)
    _sub(digest, _ds("DigestValue"), _sha1_b64(der))
    serial = _sub(cert, _xades("IssuerSerial"))
    _sub(serial, _ds("X509IssuerName"), issuer_name(identity.certificate))
    _sub(serial, _ds("X509SerialNumber"), str(identity.certificate.serial_number))
    data_props = _sub(props, _xades("SignedDataObjectProperties"))
    fmt = _sub(
        data_props, _xades("DataObjectFormat"), ObjectReference=f"#{ids['doc_ref']}"
    )
    _sub(fmt, _xades("Description"), "contenido comprobante")
    _sub(fmt, _xades("MimeType"), "text/xml")
    _sub(fmt, _xades("Encoding"), "UTF-8")
    return props


def _ids() -> dict[str, str]:
    token = uuid.uuid4().hex
    names = (
        "signature",
        "signed_info",
        "doc_ref",
        "props_ref",
        "cert_ref",
        "signed_props",
        "key_info",
        "object",
        "value",
    )
    return {name: f"{name.replace('_', '-')}-{token}" for name in names}


def document_sign(
    xml_bytes: bytes,
    identity: SigningIdentity,
    *,
    signing_time: datetime | None = None,
) -> bytes:
    """Validate, then return the comprobante with its XAdES-BES signature appended.

    An invalid document raises XmlValidationError and is never signed.
    """
    sri_xml.validate(xml_bytes)
    root = etree.fromstring(xml_bytes)
    if root.get("id") != "comprobante":
        raise SigningError('the root element must carry id="comprobante"')
    if root.find(_ds("Signature")) is not None:
        raise SigningError("the document is already signed")
    # Digest before the signature exists: equals the enveloped-signature transform.
    document_digest = _sha1_b64(_c14n(root))
    ids = _ids()
    signature = etree.SubElement(
        root, _ds("Signature"), Id=ids["signature"], nsmap={"ds": NS_DS}
    )
    signed_info = _signed_info(signature, ids)
    value = _sub(signature, _ds("SignatureValue"), Id=ids["value"])
    key_info = _key_info(signature, identity, ids["key_info"])
    props = _signed_properties(
        signature, identity, ids, signing_time or datetime.now(ECUADOR)
    )
    _reference(
        signed_info, uri="#comprobante", ref_id=ids["doc_ref"], enveloped=True
    ).text = document_digest
    _reference(
        signed_info,
        uri=f"#{ids['signed_props']}",
        ref_id=ids["props_ref"],
        ref_type=SIGNED_PROPERTIES_TYPE,
    ).text = _sha1_b64(_c14n(props))
    _reference(
        signed_info, uri=f"#{ids['key_info']}", ref_id=ids["cert_ref"]
    ).text = _sha1_b64(_c14n(key_info))
    raw = identity.key.sign(_c14n(signed_info), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    value.text = _b64(raw)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
