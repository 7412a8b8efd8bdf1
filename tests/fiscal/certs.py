"""Throw-away certificate authorities, signing certificates and .p12 files.

Everything is generated with `cryptography`: no real certificate ever enters
the test suite. `p12_multi_key` writes a PFX holding two key pairs, the
encryption pair first, the way some BCE/Security Data tokens are exported.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = "clave-de-prueba"


@dataclass(frozen=True)
class TestPki:
    ca_key: rsa.RSAPrivateKey
    ca_cert: x509.Certificate

    @property
    def ca_pem(self) -> bytes:
        return self.ca_cert.public_bytes(serialization.Encoding.PEM)


@lru_cache(maxsize=4)
def _rsa_key(slot: int) -> rsa.RSAPrivateKey:
    # Cached per slot: RSA generation is the slowest step of these tests.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_name() -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SOUTHERNPOS PRUEBAS S.A."),
            x509.NameAttribute(
                NameOID.ORGANIZATIONAL_UNIT_NAME, "ENTIDAD DE CERTIFICACION DE PRUEBA"
            ),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "VATEC-1790012345001"),
            x509.NameAttribute(NameOID.COMMON_NAME, "AC PRUEBAS SOUTHERNPOS"),
        ]
    )


def pki_make(slot: int = 0) -> TestPki:
    key = _rsa_key(slot)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_ca_name())
        .issuer_name(_ca_name())
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TestPki(key, cert)


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=not sign,
        data_encipherment=not sign,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


RUC = "1790012345001"


def leaf_make(
    pki: TestPki,
    *,
    slot: int = 1,
    sign: bool = True,
    days: int = 365,
    ruc: str = RUC,
):
    """Return (key, certificate) for a holder issued by the test CA.

    Negative `days`: a certificate that expired that many days ago.
    """
    key = _rsa_key(slot)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, ruc),
            x509.NameAttribute(NameOID.COMMON_NAME, "COMERCIAL ANDINA S.A."),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(pki.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1 if days > 0 else 365 - days))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(_usage(sign=sign), critical=True)
        .sign(pki.ca_key, hashes.SHA256())
    )
    return key, cert


def p12_single(
    pki: TestPki, *, days: int = 365, password: str = PASSWORD, ruc: str = RUC
) -> bytes:
    key, cert = leaf_make(pki, days=days, ruc=ruc)
    return pkcs12.serialize_key_and_certificates(
        b"firma",
        key,
        cert,
        [pki.ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )


# --- a hand-written PFX with two key pairs -------------------------------


def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(body)]) + body + content


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        chunk = [part & 0x7F]
        while part > 0x7F:
            part >>= 7
            chunk.insert(0, 0x80 | (part & 0x7F))
        out += bytes(chunk)
    return _der(0x06, bytes(out))


def _seq(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _explicit0(inner: bytes) -> bytes:
    return _der(0xA0, inner)


def _octets(data: bytes) -> bytes:
    return _der(0x04, data)


def _bag_attributes(local_id: bytes) -> bytes:
    local_key_id = _seq(_oid("1.2.840.113549.1.9.21"), _der(0x31, _octets(local_id)))
    return _der(0x31, local_key_id)


def _key_bag(key, password: str, local_id: bytes) -> bytes:
    encrypted = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )
    return _seq(
        _oid("1.2.840.113549.1.12.10.1.2"),
        _explicit0(encrypted),
        _bag_attributes(local_id),
    )


def _cert_bag(cert, local_id: bytes) -> bytes:
    der = cert.public_bytes(serialization.Encoding.DER)
    value = _seq(_oid("1.2.840.113549.1.9.22.1"), _explicit0(_octets(der)))
    return _seq(
        _oid("1.2.840.113549.1.12.10.1.3"), _explicit0(value), _bag_attributes(local_id)
    )


def _pkcs12_kdf(password: str, salt: bytes, iterations: int, size: int) -> bytes:
    """RFC 7292 appendix B.2 key derivation (ID 3 = MAC key), SHA-1."""
    v, u = 64, 20
    pwd = password.encode("utf-16-be") + b"\x00\x00"
    d = bytes([3]) * v
    s = (salt * (v // len(salt) + 1))[: v * ((len(salt) + v - 1) // v)]
    p = (pwd * (v // len(pwd) + 1))[: v * ((len(pwd) + v - 1) // v)]
    i = bytearray(s + p)
    out = b""
    while len(out) < size:
        a = d + bytes(i)
        for _ in range(iterations):
            a = hashlib.sha1(a).digest()  # noqa: S324 - RFC 7292 KDF
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        for j in range(0, len(i), v):
            block = (int.from_bytes(i[j : j + v], "big") + b + 1) % (1 << (v * 8))
            i[j : j + v] = block.to_bytes(v, "big")
    return out[:size]


def _ber_seq(*items: bytes) -> bytes:
    return b"\x30\x80" + b"".join(items) + b"\x00\x00"


def _ber_octets(data: bytes, chunk: int = 500) -> bytes:
    parts = [_octets(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    return b"\x24\x80" + b"".join(parts) + b"\x00\x00"


def _ber_explicit0(inner: bytes) -> bytes:
    return b"\xa0\x80" + inner + b"\x00\x00"


def p12_multi_key(pki: TestPki, password: str = PASSWORD, *, ber: bool = False):
    """Return (p12 bytes, signing certificate): encryption pair first.

    With ber=True the containers use indefinite lengths and chunked OCTET
    STRINGs, as Windows and some token tools export them.
    """
    seq, octets, explicit0 = (
        (_ber_seq, _ber_octets, _ber_explicit0) if ber else (_seq, _octets, _explicit0)
    )
    enc_key, enc_cert = leaf_make(pki, slot=2, sign=False)
    sig_key, sig_cert = leaf_make(pki, slot=1, sign=True)
    bags = [
        _key_bag(enc_key, password, b"\x01"),
        _key_bag(sig_key, password, b"\x02"),
        _cert_bag(enc_cert, b"\x01"),
        _cert_bag(sig_cert, b"\x02"),
    ]
    safe_contents = seq(*bags)
    data_oid = _oid("1.2.840.113549.1.7.1")
    auth_safe = seq(seq(data_oid, explicit0(octets(safe_contents))))
    salt, iterations = b"saltsalt", 2048
    mac_key = _pkcs12_kdf(password, salt, iterations, 20)
    mac = hmac.new(mac_key, auth_safe, hashlib.sha1).digest()
    sha1 = _seq(_oid("1.3.14.3.2.26"), b"\x05\x00")
    mac_data = _seq(
        _seq(sha1, _octets(mac)),
        _octets(salt),
        _der(0x02, iterations.to_bytes(2, "big")),
    )
    pfx = seq(
        _der(0x02, b"\x03"), seq(data_oid, explicit0(octets(auth_safe))), mac_data
    )
    return pfx, sig_cert
