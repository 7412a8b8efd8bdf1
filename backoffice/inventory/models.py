from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.catalog.models import Product
from backoffice.tenancy.models import Establishment, TenantModel


class StockMove(TenantModel):
    """One line of the stock ledger. Never edited: corrections are new moves."""

    class Reason(models.TextChoices):
        SALE = "sale", _("venta")
        VOID = "void", _("anulación")
        ADJUSTMENT = "adjustment", _("ajuste")
        COUNT = "count", _("conteo físico")
        RECEIPT = "receipt", _("recepción")
        TRANSFER = "transfer", _("transferencia")
        INITIAL = "initial", _("inicial")

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("cantidad"), max_digits=14, decimal_places=6)
    reason = models.CharField(_("motivo"), max_length=20, choices=Reason.choices)
    reference = models.CharField(_("referencia"), max_length=120, blank=True)
    note = models.CharField(_("nota"), max_length=300, blank=True)
    unit_cost = models.DecimalField(
        _("costo unitario"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("movimiento de stock")
        verbose_name_plural = _("movimientos de stock")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["business", "product", "establishment"],
                name="stockmove_biz_prod",
            ),
            models.Index(fields=["business", "created_at"], name="stockmove_biz_time"),
        ]

    def __str__(self):
        return f"{self.product_id} {self.quantity:+} ({self.reason})"


class StockLevel(TenantModel):
    """Stock of a product in one establishment: always the sum of its moves."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_levels"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("cantidad"), max_digits=14, decimal_places=6, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock por local")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "product", "establishment"], name="uniq_stock_level"
            )
        ]

    def __str__(self):
        return f"{self.product_id}@{self.establishment_id}: {self.quantity}"
