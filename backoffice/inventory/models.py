from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.catalog.models import Product
from backoffice.display import quantity_text
from backoffice.tenancy.managers import TenantManager, UnscopedManager
from backoffice.tenancy.models import Establishment, TenantModel


class StockMove(TenantModel):
    """One line of the stock ledger. Never edited: corrections are new moves."""

    class Reason(models.TextChoices):
        SALE = "sale", _("venta")
        VOID = "void", _("anulación")
        RETURN = "return", _("devolución")
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
    supplier = models.CharField(_("proveedor"), max_length=200, blank=True)
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
            # Search by reference (a sale or receiving number), exactly.
            models.Index(fields=["business", "reference"], name="stockmove_biz_ref"),
        ]

    def __str__(self):
        quantity = Decimal(self.quantity).normalize()
        return f"{self.product} {quantity:+f} ({self.get_reason_display()})"


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


class StockDocument(TenantModel):
    """A draft-then-posted inventory document: receipt, adjustment, count, transfer.

    One table for the four kinds (they share their shape); each kind has a
    proxy model with its own admin. Posting books StockMoves through the
    services and freezes the document.
    """

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("recepción")
        ADJUSTMENT = "adjustment", _("ajuste")
        COUNT = "count", _("conteo físico")
        TRANSFER = "transfer", _("transferencia")

    class Status(models.TextChoices):
        DRAFT = "draft", _("borrador")
        POSTED = "posted", _("contabilizado")

    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("local"),
    )
    destination = models.ForeignKey(
        Establishment,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("local de destino"),
    )
    supplier = models.CharField(_("proveedor"), max_length=200, blank=True)
    reference = models.CharField(_("referencia"), max_length=120, blank=True)
    reason = models.CharField(_("motivo"), max_length=300, blank=True)
    posted_at = models.DateTimeField(_("contabilizado el"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contabilizado por"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("documento de inventario")
        verbose_name_plural = _("documentos de inventario")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["business", "kind", "status"], name="stockdoc_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_posted(self) -> bool:
        return self.status == self.Status.POSTED


class StockDocumentLine(TenantModel):
    document = models.ForeignKey(
        StockDocument, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("producto")
    )
    # Receipt/transfer: units moved (> 0); adjustment: ± units; count: counted units.
    quantity = models.DecimalField(_("cantidad"), max_digits=14, decimal_places=6)
    unit_cost = models.DecimalField(
        _("costo unitario"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    # Count only, filled in when posted: the book quantity and the difference.
    expected = models.DecimalField(
        _("en sistema"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    difference = models.DecimalField(
        _("diferencia"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("línea")
        verbose_name_plural = _("líneas")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "document", "product"], name="uniq_stockdoc_line"
            )
        ]

    def __str__(self):
        return f"{self.product} × {quantity_text(self.quantity, self.product.unit)}"


class _KindManager(TenantManager):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class _UnscopedKindManager(UnscopedManager):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class KindProxyMixin:
    """Proxies of StockDocument: each sees and saves only its own kind."""

    KIND: str = ""

    def save(self, *args, **kwargs):
        self.kind = self.KIND
        super().save(*args, **kwargs)


class StockReceipt(KindProxyMixin, StockDocument):
    KIND = StockDocument.Kind.RECEIPT
    objects = _KindManager(KIND)
    unscoped_objects = _UnscopedKindManager(KIND)

    class Meta:
        proxy = True
        verbose_name = _("recepción de mercadería")
        verbose_name_plural = _("recepciones de mercadería")


class StockAdjustment(KindProxyMixin, StockDocument):
    KIND = StockDocument.Kind.ADJUSTMENT
    objects = _KindManager(KIND)
    unscoped_objects = _UnscopedKindManager(KIND)

    class Meta:
        proxy = True
        verbose_name = _("ajuste de stock")
        verbose_name_plural = _("ajustes de stock")


class StockCount(KindProxyMixin, StockDocument):
    KIND = StockDocument.Kind.COUNT
    objects = _KindManager(KIND)
    unscoped_objects = _UnscopedKindManager(KIND)

    class Meta:
        proxy = True
        verbose_name = _("conteo físico")
        verbose_name_plural = _("conteos físicos")


class StockTransfer(KindProxyMixin, StockDocument):
    KIND = StockDocument.Kind.TRANSFER
    objects = _KindManager(KIND)
    unscoped_objects = _UnscopedKindManager(KIND)

    class Meta:
        proxy = True
        verbose_name = _("transferencia entre locales")
        verbose_name_plural = _("transferencias entre locales")


# simple-history marks only the concrete model; its admin history view looks
# the manager up on the proxy's own options.
for _proxy in (StockReceipt, StockAdjustment, StockCount, StockTransfer):
    _proxy._meta.simple_history_manager_attribute = "history"
