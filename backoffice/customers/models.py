from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.tenancy.models import TenantModel
from core.sri_codes import FINAL_CONSUMER_ID, IdType

__all__ = ["FINAL_CONSUMER_ID", "Customer", "IdType"]


class Customer(TenantModel):
    id_type = models.CharField(
        _("tipo de identificación"), max_length=2, choices=IdType.choices
    )
    identification = models.CharField(_("identificación"), max_length=20)
    name = models.CharField(_("nombre / razón social"), max_length=300)
    email = models.EmailField(_("correo"), blank=True)
    phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    address = models.CharField(_("dirección"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clientes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "identification"],
                name="uniq_customer_identification",
                violation_error_message=_(
                    "Ya existe un cliente con esta identificación."
                ),
            ),
            # Consumidor final is exactly the reserved number, and only it.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        id_type=IdType.CONSUMIDOR_FINAL,
                        identification=FINAL_CONSUMER_ID,
                    )
                    | (
                        ~models.Q(id_type=IdType.CONSUMIDOR_FINAL)
                        & ~models.Q(identification=FINAL_CONSUMER_ID)
                    )
                ),
                name="customer_final_consumer_reserved",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.identification})"

    def clean(self):
        from .validators import identification_clean

        if self.id_type:
            self.identification = identification_clean(
                id_type=self.id_type, identification=self.identification
            )

    def delete(self, *args, **kwargs):
        if self.is_final_consumer:
            raise ValidationError(_("Consumidor final no se puede eliminar."))
        return super().delete(*args, **kwargs)

    @property
    def is_final_consumer(self) -> bool:
        return self.id_type == IdType.CONSUMIDOR_FINAL
