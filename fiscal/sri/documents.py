"""Plain, frozen descriptions of the documents SouthernPOS sends to the SRI.

The sales engine fills these; xml, signing and ride only read them. Amounts
are Decimal (floats are refused); line bases, line taxes and the totals per
IVA code are computed here so XML, receipt, RIDE and reports agree to the cent.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from core import calc
from core.money import ZERO, round_money, to_decimal
from core.sri_codes import FINAL_CONSUMER_ID, PAYMENT_CODES, IdType
from core.taxes import IVA_TAX_CODE, rate_for

from .access_key import access_key_build, numeric_code_derive

COD_DOC_FACTURA = "01"
COD_DOC_NOTA_CREDITO = "04"

AMBIENTE_PRUEBAS = "1"
AMBIENTE_PRODUCCION = "2"


RIMPE_NONE = ""
RIMPE_EMPRENDEDOR = "CONTRIBUYENTE RÉGIMEN RIMPE"
RIMPE_NEGOCIO_POPULAR = "CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE"


class DocumentError(ValueError):
    """The document data cannot become a valid SRI document."""


@dataclass(frozen=True)
class Issuer:
    """The business at one establishment and emission point."""

    ruc: str
    razon_social: str
    dir_matriz: str
    estab: str
    pto_emi: str
    ambiente: str = AMBIENTE_PRUEBAS
    nombre_comercial: str = ""
    dir_establecimiento: str = ""
    obligado_contabilidad: bool = False
    contribuyente_especial: str = ""
    rimpe: str = RIMPE_NONE  # one of the RIMPE_* legends, printed as-is

    def __post_init__(self):
        if self.ambiente not in (AMBIENTE_PRUEBAS, AMBIENTE_PRODUCCION):
            raise DocumentError(f"ambiente must be 1 or 2, got {self.ambiente!r}")
        if self.rimpe not in (RIMPE_NONE, RIMPE_EMPRENDEDOR, RIMPE_NEGOCIO_POPULAR):
            raise DocumentError(f"unknown RIMPE legend {self.rimpe!r}")


@dataclass(frozen=True)
class Buyer:
    id_type: str
    identification: str
    name: str
    address: str = ""
    email: str = ""
    phone: str = ""

    def __post_init__(self):
        if self.id_type not in IdType.values:
            raise DocumentError(f"buyer id type must be 04-08, got {self.id_type!r}")

    @classmethod
    def consumidor_final(cls) -> "Buyer":
        return cls(IdType.CONSUMIDOR_FINAL, FINAL_CONSUMER_ID, "CONSUMIDOR FINAL")

    @property
    def is_consumidor_final(self) -> bool:
        return self.id_type == IdType.CONSUMIDOR_FINAL


@dataclass(frozen=True)
class Line:
    code: str
    description: str
    quantity: Decimal
    unit_price: Decimal  # without IVA
    tax_code: str  # IVA codigoPorcentaje (core.taxes.TaxCategory value)
    discount: Decimal = ZERO

    def __post_init__(self):
        for name in ("quantity", "unit_price", "discount"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))
        object.__setattr__(self, "tax_code", str(self.tax_code))
        rate_for(self.tax_code)  # KeyError early for unknown IVA codes
        if self.quantity <= 0 or self.unit_price < 0 or self.discount < 0:
            raise DocumentError("quantity must be positive, price and discount >= 0")
        try:
            self.computed  # noqa: B018 - core.calc checks discount <= amount
        except calc.CalcError as exc:
            raise DocumentError(str(exc)) from exc

    @cached_property
    def computed(self) -> calc.LineResult:
        """This line through `core.calc`, the one arithmetic of every document."""
        return calc.line_compute(
            calc.LineInput(
                quantity=self.quantity,
                unit_price=self.unit_price,
                tax_code=self.tax_code,
                discount=self.discount,
            )
        )

    @property
    def base(self) -> Decimal:
        """precioTotalSinImpuesto: quantity x unit price - discount, to cents."""
        return self.computed.base

    @property
    def rate(self) -> Decimal:
        return rate_for(self.tax_code)

    @property
    def tax(self) -> Decimal:
        return self.computed.tax


@dataclass(frozen=True)
class TaxTotal:
    code: str  # impuesto código: IVA is "2"
    percentage_code: str
    rate: Decimal
    base: Decimal
    value: Decimal


@dataclass(frozen=True)
class Payment:
    code: str  # formaPago
    amount: Decimal
    term: int | None = None  # plazo
    time_unit: str = ""  # unidadTiempo, e.g. "dias"

    def __post_init__(self):
        object.__setattr__(self, "amount", round_money(self.amount))
        if self.code not in PAYMENT_CODES:
            raise DocumentError(f"formaPago {self.code!r} is not an active SRI code")


def tax_totals(lines) -> tuple[TaxTotal, ...]:
    """Group line bases per IVA code; the tax is computed once on each group's base.

    Rounding per group (not summing rounded line taxes) is what SRI
    recomputes, so the document total never drifts by accumulated cents.
    """
    return tuple(
        TaxTotal(IVA_TAX_CODE, t.tax_code, t.rate, t.base, t.tax)
        for t in calc.taxes_compute([line.computed for line in lines])
    )


@dataclass(frozen=True)
class _Document:
    issuer: Issuer
    secuencial: str
    fecha: date
    buyer: Buyer
    lines: tuple[Line, ...]
    numeric_code: str = ""  # derived from the number when empty
    extra_info: tuple[tuple[str, str], ...] = ()  # extra campoAdicional pairs
    tipo_emision: str = "1"

    cod_doc = ""

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "secuencial", str(self.secuencial).zfill(9))
        if not self.lines:
            raise DocumentError("a document needs at least one line")
        if not self.numeric_code:
            object.__setattr__(self, "numeric_code", self._derived_numeric_code())

    def _derived_numeric_code(self) -> str:
        return numeric_code_derive(
            ruc=self.issuer.ruc,
            cod_doc=self.cod_doc,
            estab=self.issuer.estab,
            pto_emi=self.issuer.pto_emi,
            secuencial=self.secuencial,
        )

    # A document is immutable (frozen): what it derives from its fields is
    # computed once. A checkout asked for its key, tax totals and total 3–6
    # times each (the stored row, the XML, the reconciliation).
    @cached_property
    def access_key(self) -> str:
        return access_key_build(
            fecha=self.fecha,
            cod_doc=self.cod_doc,
            ruc=self.issuer.ruc,
            ambiente=self.issuer.ambiente,
            estab=self.issuer.estab,
            pto_emi=self.issuer.pto_emi,
            secuencial=self.secuencial,
            numeric_code=self.numeric_code,
            tipo_emision=self.tipo_emision,
        )

    @property
    def number(self) -> str:
        """Printed number, e.g. 001-001-000000123."""
        return f"{self.issuer.estab}-{self.issuer.pto_emi}-{self.secuencial}"

    @cached_property
    def tax_totals(self) -> tuple[TaxTotal, ...]:
        return tax_totals(self.lines)

    @cached_property
    def subtotal(self) -> Decimal:
        """totalSinImpuestos: sum of line bases (after line discounts)."""
        return sum((line.base for line in self.lines), ZERO)

    @property
    def total_discount(self) -> Decimal:
        return round_money(sum((line.discount for line in self.lines), ZERO))

    @cached_property
    def total_tax(self) -> Decimal:
        return sum((t.value for t in self.tax_totals), ZERO)


@dataclass(frozen=True)
class Invoice(_Document):
    payments: tuple[Payment, ...] = ()
    propina: Decimal = ZERO  # restaurant service charge, outside the IVA base

    cod_doc = COD_DOC_FACTURA

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "payments", tuple(self.payments))
        object.__setattr__(self, "propina", round_money(self.propina))
        if self.propina < 0:
            raise DocumentError("propina cannot be negative")
        paid = sum((p.amount for p in self.payments), ZERO)
        if self.payments and paid != self.total:
            raise DocumentError(
                f"payments add up to {paid}, invoice total is {self.total}"
            )

    @cached_property
    def total(self) -> Decimal:
        """importeTotal: subtotal + IVA + propina."""
        return self.subtotal + self.total_tax + self.propina

    @property
    def effective_payments(self) -> tuple[Payment, ...]:
        """Payments to print; with none given, the whole total as cash (01)."""
        return self.payments or (Payment("01", self.total),)


@dataclass(frozen=True)
class CreditNote(_Document):
    modified_number: str = ""  # 001-001-000000123 of the invoice it corrects
    modified_date: date | None = None
    reason: str = ""  # motivo
    modified_cod_doc: str = COD_DOC_FACTURA

    cod_doc = COD_DOC_NOTA_CREDITO

    def __post_init__(self):
        super().__post_init__()
        if self.buyer.is_consumidor_final:
            raise DocumentError(
                "SRI does not accept credit notes to consumidor final: "
                "identify the buyer"
            )
        if not (self.modified_number and self.modified_date and self.reason.strip()):
            raise DocumentError(
                "a credit note needs the invoice number, date and reason"
            )

    @property
    def total(self) -> Decimal:
        """valorModificacion: subtotal + IVA."""
        return self.subtotal + self.total_tax


def info_adicional(document) -> list[tuple[str, str]]:
    """Return the campoAdicional pairs: buyer contact data first, then extras."""
    buyer = document.buyer
    pairs = [
        ("Email", buyer.email),
        ("Teléfono", buyer.phone),
        ("Dirección", buyer.address),
    ]
    pairs += list(document.extra_info)
    return [(name, value.strip()) for name, value in pairs if value and value.strip()]
