"""SRI code tables (ficha técnica de comprobantes electrónicos), defined once.

Models take their choices from here, the XML builder and the ATS check their
codes here, and the consumidor final number is written nowhere else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    """SRI tabla 6: tipo de identificación del comprador."""

    RUC = "04", _("RUC")
    CEDULA = "05", _("Cédula")
    PASAPORTE = "06", _("Pasaporte")
    CONSUMIDOR_FINAL = "07", _("Consumidor final")
    EXTERIOR = "08", _("Identificación del exterior")


# The identification SRI reserves for consumidor final (with IdType.CONSUMIDOR_FINAL).
FINAL_CONSUMER_ID = "9999999999999"


class PaymentMethod(models.TextChoices):
    """SRI tabla 24 (formaPago): the ones the counter offers."""

    CASH = "01", _("Efectivo")
    DEBIT_CARD = "16", _("Tarjeta de débito")
    CREDIT_CARD = "19", _("Tarjeta de crédito")
    OTHER = "20", _("Transferencia / otros")


# SRI tabla 24: every forma de pago a document may carry, in SRI's own words
# (the RIDE prints them). The counter's PaymentMethod is a subset.
PAYMENT_CODES = {
    PaymentMethod.CASH.value: "Sin utilización del sistema financiero",
    "15": "Compensación de deudas",
    PaymentMethod.DEBIT_CARD.value: "Tarjeta de débito",
    PaymentMethod.CREDIT_CARD.value: "Tarjeta de crédito",
    PaymentMethod.OTHER.value: "Otros con utilización del sistema financiero",
}
