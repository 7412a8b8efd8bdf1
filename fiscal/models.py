from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy.models import EmissionPoint, TenantModel


class DocType(models.TextChoices):
    """SRI tabla 3: tipos de comprobante (codDoc)."""

    INVOICE = "01", _("Factura")
    CREDIT_NOTE = "04", _("Nota de crédito")


class DocumentSequence(TenantModel):
    """Next number per (business, emission point, document type), taken under lock."""

    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="sequences"
    )
    doc_type = models.CharField(_("tipo"), max_length=2, choices=DocType.choices)
    last_number = models.PositiveBigIntegerField(_("último número"), default=0)

    class Meta:
        verbose_name = _("secuencia")
        verbose_name_plural = _("secuencias")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "emission_point", "doc_type"], name="uniq_sequence"
            )
        ]

    def __str__(self):
        return f"{self.emission_point_id}/{self.doc_type}: {self.last_number}"
