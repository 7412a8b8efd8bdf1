"""Demo support: a throw-away signing certificate and signed (unsent) documents.

The certificate is self-issued by a fake "AC DEMO" authority generated on the
spot; SRI would reject it, which is fine: the demo never sends anything.
"""

import secrets
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from backoffice.tenancy.models import Business

from .models import DocState, ElectronicDocument, SigningCertificate
from .selectors import certificate_active
from .services import certificate_upload, edoc_sign


def _name(common_name: str, serial: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "EC")]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _certificate(subject, issuer, public_key, signer, *, days: int, usage=None):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
    )
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(signer, hashes.SHA256())


def demo_p12_make(*, business: Business, password: str, days: int = 365) -> bytes:
    """A .p12 for the business, issued by a throw-away demo authority."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("AC DEMO SOUTHERNPOS (SIN VALIDEZ)")
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, days=days + 30)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip
    subject = _name(business.razon_social[:64], serial=business.ruc)
    leaf = _certificate(
        subject, ca_name, key.public_key(), ca_key, days=days, usage=usage
    )
    return pkcs12.serialize_key_and_certificates(
        b"demo",
        key,
        leaf,
        [ca],
        serialization.BestAvailableEncryption(password.encode()),
    )


def demo_certificate_install(*, business: Business) -> SigningCertificate:
    """Give a demo business a throw-away certificate (ambiente pruebas only)."""
    if business.ambiente != Business.Ambiente.PRUEBAS:
        raise ValueError("demo certificates are only for ambiente pruebas")
    password = secrets.token_urlsafe(16)
    p12 = demo_p12_make(business=business, password=password)
    return certificate_upload(business=business, p12=p12, password=password)


def demo_einvoicing_load(*, business: Business) -> int:
    """Certificate (once), then every generated document signed and none sent.

    The documents of the demo sales come from `pos.documents` (fiscal knows
    documents, not sales): `fixtures.demo.load_einvoicing` creates them first.
    Safe to run again: returns how many documents were signed this time.
    """
    if certificate_active(business=business) is None:
        demo_certificate_install(business=business)
    return demo_documents_sign(business=business)


def demo_documents_sign(*, business: Business) -> int:
    """Sign every generated document of the business; nothing is sent."""
    pending = ElectronicDocument.objects.filter(
        business=business, state=DocState.GENERATED
    )
    count = 0
    for edoc in pending:
        edoc_sign(edoc=edoc)
        count += 1
    return count
