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

from .models import MONEY, UNIT, CashSession, InsertOnlyModel, Sale, SaleLine
from .voids_models import CreditNoteRecord


class SaleReturn(CreditNoteRecord):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    idempotency_key = models.UUIDField(_("clave de idempotencia"), default=uuid.uuid4)
    request_hash = models.CharField(
        _("huella de la solicitud"), max_length=64, blank=True, editable=False
    )
    returned_at = models.DateTimeField(_("fecha"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("devuelta por"),
    )
    cash_session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, related_name="returns"
    )
    subtotal = models.DecimalField(_("subtotal sin impuestos"), **MONEY)
    tax_total = models.DecimalField(_("IVA"), **MONEY)

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
