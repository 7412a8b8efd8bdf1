"""Partial returns of a sale (issue 11): insert-only, like the void.

A `SaleReturn` takes back some lines (or part of their quantity) of a posted
sale: its own credit-note number (the credit-note sequence the void uses), or
none for CONSUMIDOR FINAL; stock moves back in and a cash movement pays the
refund out. Imported at the end of pos.models (Django finds models there).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.display import decimal_text
from backoffice.tenancy.models import EmissionPoint

from .models import MONEY, UNIT, CashSession, InsertOnlyModel, Sale, SaleLine


class SaleReturn(InsertOnlyModel):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    idempotency_key = models.UUIDField(_("clave de idempotencia"), default=uuid.uuid4)
    request_hash = models.CharField(
        _("huella de la solicitud"), max_length=64, blank=True, editable=False
    )
    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveBigIntegerField(
        _("secuencial nota de crédito"), null=True, blank=True
    )
    document_number = models.CharField(_("nota de crédito"), max_length=17, blank=True)
    returned_at = models.DateTimeField(_("fecha"), default=timezone.now)
    reason = models.CharField(_("motivo"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("devuelta por"),
    )
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("autorizada por"),
    )
    cash_session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, related_name="returns"
    )
    subtotal = models.DecimalField(_("subtotal sin impuestos"), **MONEY)
    tax_total = models.DecimalField(_("IVA"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    class Meta:
        verbose_name = _("devolución")
        verbose_name_plural = _("devoluciones")
        ordering = ["-returned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], name="uniq_return_idempotency"
            ),
            models.UniqueConstraint(
                fields=["business", "emission_point", "number"],
                name="uniq_return_number",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="return_total_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["business", "sale"], name="return_biz_sale")]

    def __str__(self):
        return self.document_number or f"{self.sale.document_number} ({self.pk})"


class SaleReturnLine(InsertOnlyModel):
    sale_return = models.ForeignKey(
        SaleReturn, on_delete=models.PROTECT, related_name="lines"
    )
    sale_line = models.ForeignKey(
        SaleLine, on_delete=models.PROTECT, related_name="returned"
    )
    quantity = models.DecimalField(_("cantidad"), **UNIT)
    discount = models.DecimalField(_("descuento"), **MONEY)
    base = models.DecimalField(_("base imponible"), **MONEY)
    tax = models.DecimalField(_("IVA"), **MONEY)

    class Meta:
        verbose_name = _("línea devuelta")
        verbose_name_plural = _("líneas devueltas")
        ordering = ["sale_return_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0)
                & models.Q(discount__gte=0)
                & models.Q(base__gte=0),
                name="return_line_amounts_valid",
            )
        ]
        indexes = [
            models.Index(fields=["business", "sale_line"], name="return_line_biz_line")
        ]

    def __str__(self):
        return f"{decimal_text(self.quantity)} × {self.sale_line_id}"
