"""Identification rules of SRI tabla 6, checked with python-stdnum."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.ec import ci, ruc

from .models import FINAL_CONSUMER_ID, IdType

_FOREIGN = re.compile(r"^[A-Za-z0-9-]{3,20}$")


def identification_clean(*, id_type: str, identification: str) -> str:
    """Return the identification normalised, or raise a ValidationError."""
    value = (identification or "").strip().upper()
    if id_type not in IdType.values:
        raise ValidationError(
            {"id_type": _("Tipo de identificación desconocido: %(v)s") % {"v": id_type}}
        )
    if id_type == IdType.CONSUMIDOR_FINAL:
        if value != FINAL_CONSUMER_ID:
            raise ValidationError(
                {
                    "identification": _(
                        "Consumidor final usa la identificación 9999999999999."
                    )
                }
            )
        return value
    if value == FINAL_CONSUMER_ID:
        raise ValidationError(
            {"identification": _("9999999999999 está reservado para consumidor final.")}
        )
    if id_type == IdType.CEDULA and not ci.is_valid(value):
        raise ValidationError(
            {"identification": _("Cédula inválida: %(v)s") % {"v": value}}
        )
    if id_type == IdType.RUC and not ruc.is_valid(value):
        raise ValidationError(
            {"identification": _("RUC inválido: %(v)s") % {"v": value}}
        )
    if id_type in {IdType.PASAPORTE, IdType.EXTERIOR} and not _FOREIGN.match(value):
        raise ValidationError(
            {
                "identification": _(
                    "Identificación inválida: use de 3 a 20 letras o dígitos."
                )
            }
        )
    return ci.compact(value) if id_type in {IdType.CEDULA, IdType.RUC} else value
