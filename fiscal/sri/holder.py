"""Whose certificate is this: the RUC a signing certificate names.

Ecuadorian certification authorities (Banco Central, Security Data, ANF,
Uanataca…) write the holder's RUC or cédula in the subject (serialNumber,
organizationIdentifier) or in private extensions, each its own way, so every
run of digits there is read. A natural person's certificate may carry the
cédula: their RUC is the cédula followed by 001.

Anyone can make a certificate that names any RUC, so it proves ownership only
when an accredited authority issued it: `RUC_VERIFY_CA_FILE` lists them (PEM).
"""

import re
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

_DIGITS = re.compile(r"\d{10,13}")
_SUBJECT_OIDS = (
    NameOID.SERIAL_NUMBER,
    NameOID.ORGANIZATION_IDENTIFIER,
    NameOID.USER_ID,
    NameOID.COMMON_NAME,
)


def certificate_names_ruc(cert: x509.Certificate, ruc: str) -> bool:
    return any(run == ruc or run + "001" == ruc for run in _digit_runs(cert))


def _digit_runs(cert: x509.Certificate) -> set[str]:
    texts = [
        str(attribute.value)
        for oid in _SUBJECT_OIDS
        for attribute in cert.subject.get_attributes_for_oid(oid)
    ]
    for extension in cert.extensions:
        if isinstance(extension.value, x509.UnrecognizedExtension):
            texts.append(extension.value.value.decode("latin-1"))
    return {run for text in texts for run in _DIGITS.findall(text)}


def authorities_load(path: str) -> list[x509.Certificate]:
    if not path:
        return []
    return x509.load_pem_x509_certificates(Path(path).read_bytes())


def issued_by_accredited(
    cert: x509.Certificate, authorities: list[x509.Certificate]
) -> bool:
    """Currently valid and signed directly by one of the authorities."""
    now = datetime.now(UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return False
    for authority in authorities:
        try:
            cert.verify_directly_issued_by(authority)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False
