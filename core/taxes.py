"""IVA categories: SRI tabla 17 (impuesto código 2) with their rates.

One table for the whole project: products carry a `TaxCategory` value (the
SRI codigoPorcentaje), the business has a default, and XML, receipts and
reports look rates up here.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

IVA_TAX_CODE = "2"  # SRI "codigo" of IVA in totalConImpuestos / impuestos


class TaxCategory(models.TextChoices):
    IVA_0 = "0", _("IVA 0 %")
    IVA_12 = "2", _("IVA 12 % (histórico)")
    IVA_14 = "3", _("IVA 14 % (histórico)")
    IVA_15 = "4", _("IVA 15 %")
    IVA_5 = "5", _("IVA 5 %")
    NO_OBJETO = "6", _("No objeto de IVA")
    EXENTO = "7", _("Exento de IVA")
    DIFERENCIADO = "8", _("IVA diferenciado")
    IVA_13 = "10", _("IVA 13 %")


@dataclass(frozen=True)
class TaxRate:
    code: str
    rate: Decimal  # percentage, e.g. Decimal("15")
    current: bool


RATES: dict[str, TaxRate] = {
    r.code: r
    for r in (
        TaxRate("0", Decimal("0"), True),
        TaxRate("2", Decimal("12"), False),
        TaxRate("3", Decimal("14"), False),
        TaxRate("4", Decimal("15"), True),
        TaxRate("5", Decimal("5"), True),
        TaxRate("6", Decimal("0"), True),
        TaxRate("7", Decimal("0"), True),
        # IVA diferenciado (tourism promotions): SRI publishes the rate per
        # decree; 8 % is the rate used in the published examples.
        TaxRate("8", Decimal("8"), True),
        TaxRate("10", Decimal("13"), False),
    )
}

CURRENT_CHOICES = [(c, label) for c, label in TaxCategory.choices if RATES[c].current]


def rate_for(code: str) -> Decimal:
    """Return the IVA percentage of a codigoPorcentaje, raising KeyError if unknown."""
    return RATES[str(code)].rate
