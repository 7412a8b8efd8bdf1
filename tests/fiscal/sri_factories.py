"""Small builders of valid SRI documents for tests and the bench."""

from datetime import date
from decimal import Decimal

from fiscal.sri.documents import (
    RIMPE_EMPRENDEDOR,
    Buyer,
    CreditNote,
    Invoice,
    Issuer,
    Line,
    Payment,
)

RUC = "1790012345001"


def issuer_make(**overrides) -> Issuer:
    values = {
        "ruc": RUC,
        "razon_social": "Comercial Andina S.A.",
        "nombre_comercial": "Café Andino",
        "dir_matriz": "Av. Amazonas N34-12 y Av. República, Quito",
        "dir_establecimiento": "Av. Amazonas N34-12, Quito",
        "estab": "001",
        "pto_emi": "002",
        "ambiente": "1",
        "obligado_contabilidad": True,
        "rimpe": RIMPE_EMPRENDEDOR,
    }
    values.update(overrides)
    return Issuer(**values)


def buyer_make(**overrides) -> Buyer:
    values = {
        "id_type": "05",
        "identification": "1710034065",
        "name": "María José Pérez",
        "address": "Calle Larga 4-56, Cuenca",
        "email": "maria@example.com",
        "phone": "0991234567",
    }
    values.update(overrides)
    return Buyer(**values)


def lines_make() -> tuple[Line, ...]:
    return (
        Line("CAF-01", "Café americano", Decimal(2), Decimal("1.50"), "4"),
        Line(
            "PAN-07",
            "Pan de yuca",
            Decimal("3.5"),
            Decimal("0.333333"),
            "0",
            discount=Decimal("0.10"),
        ),
        Line("AGU-01", "Agua sin gas", Decimal(1), Decimal("0.80"), "4"),
    )


def invoice_make(**overrides) -> Invoice:
    lines = overrides.pop("lines", lines_make())
    values = {
        "issuer": issuer_make(),
        "secuencial": "123",
        "fecha": date(2026, 11, 20),
        "buyer": buyer_make(),
        "lines": lines,
        "propina": Decimal("0.38"),
    }
    values.update(overrides)
    if "payments" not in values:
        total = Invoice(**values).total
        values["payments"] = (Payment("01", total - 1), Payment("19", Decimal(1)))
    return Invoice(**values)


def credit_note_make(**overrides) -> CreditNote:
    values = {
        "issuer": issuer_make(),
        "secuencial": "7",
        "fecha": date(2026, 11, 21),
        "buyer": buyer_make(),
        "lines": lines_make()[:1],
        "modified_number": "001-002-000000123",
        "modified_date": date(2026, 11, 20),
        "reason": "Devolución de mercadería",
    }
    values.update(overrides)
    return CreditNote(**values)
