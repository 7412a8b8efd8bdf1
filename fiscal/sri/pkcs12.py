"""Load the signing key and certificate from a PKCS#12 (.p12) file.

`cryptography` returns only the first private key of a .p12, but files issued
by Banco Central del Ecuador and Security Data may hold several key pairs
(e.g. one for encryption, one for signing). Signing with the wrong one ends in
SRI error 39 "FIRMA INVALIDA", so the shrouded key bags are read here with a
minimal DER walker and the pair whose certificate allows digital signatures is
chosen.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key, pkcs12

_OID_DATA = "1.2.840.113549.1.7.1"
_OID_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_OID_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_OID_X509_CERT = "1.2.840.113549.1.9.22.1"


class CertificateError(ValueError):
    """The .p12 cannot be opened or holds no usable RSA signing key."""


@dataclass(frozen=True)
class SigningIdentity:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def not_after(self) -> datetime:
        return self.certificate.not_valid_after_utc


def p12_load(data: bytes, password: str | bytes) -> SigningIdentity:
    """Return the RSA key and certificate meant for signing inside a .p12."""
    secret = password.encode() if isinstance(password, str) else password
    try:
        bundle = pkcs12.load_pkcs12(data, secret)
    except ValueError as exc:
        raise CertificateError("cannot open the .p12: wrong password or file") from exc
    keys = [bundle.key] if bundle.key is not None else []
    certs = [c.certificate for c in [bundle.cert, *bundle.additional_certs] if c]
    extra_keys, extra_certs = _bags_read(data, secret)
    return _identity_choose(keys + extra_keys, certs + extra_certs)


def _identity_choose(keys, certs) -> SigningIdentity:
    pairs = [
        (key, cert)
        for key in keys
        if isinstance(key, rsa.RSAPrivateKey)
        for cert in certs
        if _same_public_key(key, cert)
    ]
    if not pairs:
        raise CertificateError("the .p12 holds no RSA key with its certificate")
    # Sort key: signing usage first, then currently valid, then latest expiry.
    now = datetime.now(UTC)
    key, cert = max(
        pairs,
        key=lambda p: (
            _can_sign(p[1]),
            _is_current(p[1], now),
            p[1].not_valid_after_utc,
        ),
    )
    return SigningIdentity(key, cert)


def _same_public_key(key, cert) -> bool:
    public = cert.public_key()
    return isinstance(public, rsa.RSAPublicKey) and (
        public.public_numbers() == key.public_key().public_numbers()
    )


def _can_sign(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no restriction declared
    return usage.digital_signature or usage.content_commitment


def _is_current(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _bags_read(data: bytes, password: bytes) -> tuple[list, list]:
    """Return keys and certificates from the unencrypted safes of a PFX.

    Best effort: encrypted safes (usually only certificates, which
    `cryptography` already returned) are skipped, and so is any bag that
    cannot be read; the caller still has what `cryptography` returned.
    """
    keys, certs = [], []
    try:
        bags = list(_safe_bags(data))
    except (ValueError, IndexError):
        return [], []
    for oid, value in bags:
        try:
            if oid == _OID_SHROUDED_KEY_BAG:
                keys.append(load_der_private_key(value, password))
            elif oid == _OID_KEY_BAG:
                keys.append(load_der_private_key(value, None))
            elif oid == _OID_CERT_BAG and (cert := _cert_bag_read(value)):
                certs.append(cert)
        except (ValueError, IndexError, TypeError):
            continue
    return keys, certs


def _safe_bags(data: bytes):
    pfx = _children(_tlv(data, 0)[1])
    auth_safe = _content_info_data(pfx[1][1])
    if auth_safe is None:
        return
    for _, content_info in _children(_tlv(auth_safe, 0)[1]):
        safe_contents = _content_info_data(content_info)
        if safe_contents is None:
            continue  # encryptedData / envelopedData
        for _, bag in _children(_tlv(safe_contents, 0)[1]):
            fields = _children(bag)
            oid = _oid_decode(fields[0][1])
            yield oid, _explicit_inner(fields[1][1])


def _content_info_data(content_info: bytes) -> bytes | None:
    fields = _children(content_info)
    if _oid_decode(fields[0][1]) != _OID_DATA:
        return None
    return _octets(_explicit_inner(fields[1][1]))


def _cert_bag_read(value: bytes) -> x509.Certificate | None:
    fields = _children(_tlv(value, 0)[1])
    if _oid_decode(fields[0][1]) != _OID_X509_CERT:
        return None
    return x509.load_der_x509_certificate(_octets(_explicit_inner(fields[1][1])))


def _explicit_inner(content: bytes) -> bytes:
    """Return the full TLV wrapped by an [0] EXPLICIT tag (content given)."""
    _, _, end = _tlv(content, 0)
    return content[:end]


def _octets(element: bytes) -> bytes:
    """Value of an OCTET STRING, primitive (DER) or constructed in chunks (BER)."""
    tag, content, _ = _tlv(element, 0)
    if tag == 0x24:
        return b"".join(
            _octets(_tlv_bytes(content, offset)) for offset in _offsets(content)
        )
    return content


def _offsets(content: bytes):
    offset = 0
    while offset < len(content):
        yield offset
        offset = _tlv(content, offset)[2]


def _tlv_bytes(content: bytes, offset: int) -> bytes:
    return content[offset : _tlv(content, offset)[2]]


def _tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """Decode one DER/BER element: (tag, content, offset after it).

    Windows and some token exports write .p12 files in BER, with
    indefinite lengths closed by an end-of-contents marker (00 00).
    """
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length == 0x80:
        cursor = start
        while data[cursor : cursor + 2] != b"\x00\x00":
            cursor = _tlv(data, cursor)[2]
        return tag, data[start:cursor], cursor + 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[start : start + size], "big")
        start += size
    end = start + length
    if end > len(data):
        raise ValueError("truncated DER element")
    return tag, data[start:end], end


def _children(content: bytes) -> list[tuple[int, bytes]]:
    items, offset = [], 0
    while offset < len(content):
        tag, value, offset = _tlv(content, offset)
        items.append((tag, value))
    return items


def _oid_decode(content: bytes) -> str:
    first, rest = divmod(content[0], 40) if content[0] < 80 else (2, content[0] - 80)
    parts, value = [first, rest], 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)
