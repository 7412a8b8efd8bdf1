"""Clave de acceso: the 49-digit key that identifies every SRI document.

Layout (ficha técnica de comprobantes electrónicos, offline scheme):
fecha ddmmaaaa (8) + codDoc (2) + RUC (13) + ambiente (1) + estab (3) +
ptoEmi (3) + secuencial (9) + código numérico (8) + tipoEmision (1) +
dígito verificador módulo 11 (1).
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

LENGTH = 49

_KEY_RE = re.compile(r"^[0-9]{49}$")


class InvalidAccessKey(ValueError):
    """A clave de acceso is malformed or its check digit does not match."""


@dataclass(frozen=True)
class AccessKey:
    fecha: date
    cod_doc: str
    ruc: str
    ambiente: str
    estab: str
    pto_emi: str
    secuencial: str
    numeric_code: str
    tipo_emision: str
    check_digit: str

    @property
    def value(self) -> str:
        return (
            self.fecha.strftime("%d%m%Y")
            + self.cod_doc
            + self.ruc
            + self.ambiente
            + self.estab
            + self.pto_emi
            + self.secuencial
            + self.numeric_code
            + self.tipo_emision
            + self.check_digit
        )


def check_digit_mod11(digits: str) -> str:
    """Return the módulo-11 check digit of a digit string (weights 2..7 from the right).

    SRI maps a result of 11 to 0 and 10 to 1.
    """
    if not digits.isdigit():
        raise InvalidAccessKey("only digits can carry a módulo-11 check digit")
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    result = 11 - total % 11
    return {11: "0", 10: "1"}.get(result, str(result))


def numeric_code_derive(
    *, ruc: str, cod_doc: str, estab: str, pto_emi: str, secuencial: str
) -> str:
    """Return an 8-digit código numérico derived from the document number.

    Deterministic on purpose: rebuilding the same document yields the same
    clave de acceso, so a retry can never create a second key for one sale.
    """
    seed = f"{ruc}|{cod_doc}|{estab}|{pto_emi}|{secuencial}".encode()
    return str(int.from_bytes(hashlib.sha256(seed).digest()[:8], "big") % 10**8).zfill(
        8
    )


def access_key_build(
    *,
    fecha: date,
    cod_doc: str,
    ruc: str,
    ambiente: str,
    estab: str,
    pto_emi: str,
    secuencial: str,
    numeric_code: str,
    tipo_emision: str = "1",
) -> str:
    """Return the 49-digit clave de acceso for the given document data."""
    parts = {
        "cod_doc": (cod_doc, 2),
        "ruc": (ruc, 13),
        "ambiente": (ambiente, 1),
        "estab": (estab, 3),
        "pto_emi": (pto_emi, 3),
        "secuencial": (secuencial, 9),
        "numeric_code": (numeric_code, 8),
        "tipo_emision": (tipo_emision, 1),
    }
    for name, (text, size) in parts.items():
        if len(text) != size or not text.isdigit():
            raise InvalidAccessKey(f"{name} must be {size} digits, got {text!r}")
    body = fecha.strftime("%d%m%Y") + "".join(text for text, _ in parts.values())
    return body + check_digit_mod11(body)


def access_key_is_valid(key: str) -> bool:
    """Return True when key has 49 digits and a correct check digit."""
    return bool(_KEY_RE.match(key or "")) and check_digit_mod11(key[:48]) == key[48]


def access_key_parse(key: str) -> AccessKey:
    """Split a clave de acceso into its fields, raising InvalidAccessKey if wrong."""
    if not _KEY_RE.match(key or ""):
        raise InvalidAccessKey(f"clave de acceso must be {LENGTH} digits")
    if check_digit_mod11(key[:48]) != key[48]:
        raise InvalidAccessKey("clave de acceso check digit does not match")
    try:
        fecha = date(int(key[4:8]), int(key[2:4]), int(key[0:2]))
    except ValueError as exc:
        raise InvalidAccessKey("clave de acceso carries an impossible date") from exc
    return AccessKey(
        fecha=fecha,
        cod_doc=key[8:10],
        ruc=key[10:23],
        ambiente=key[23],
        estab=key[24:27],
        pto_emi=key[27:30],
        secuencial=key[30:39],
        numeric_code=key[39:47],
        tipo_emision=key[47],
        check_digit=key[48],
    )
