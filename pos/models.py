"""The counter's documents: sales (posted, immutable), voids and cash sessions.

Sale, SaleLine, SaleTax, Payment, Void and CashMovement are insert-only: the
model refuses updates and deletes, and on PostgreSQL triggers do too (see
migration 0002). A correction is a new row (a Void and its reversing entries).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.catalog.models import Product
from backoffice.customers.models import Customer, IdType
from backoffice.display import decimal_text
from backoffice.tenancy.managers import TenantManager, TenantQuerySet, UnscopedManager
from backoffice.tenancy.models import EmissionPoint, Establishment, TenantModel
from core.errors import SouthernPOSError
from core.sri_codes import PaymentMethod
from core.taxes import TaxCategory

MONEY = {"max_digits": 14, "decimal_places": 2}
UNIT = {"max_digits": 14, "decimal_places": 6}


class ImmutableError(SouthernPOSError):
    """Los documentos emitidos no se modifican ni se eliminan."""

    code = "immutable"
    status = 409


class ImmutableQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise ImmutableError()

    def delete(self):
        raise ImmutableError()


class ImmutableManager(TenantManager.from_queryset(ImmutableQuerySet)):
    pass


class ImmutableUnscopedManager(UnscopedManager.from_queryset(ImmutableQuerySet)):
    pass


class InsertOnlyModel(TenantModel):
    objects = ImmutableManager()
    unscoped_objects = ImmutableUnscopedManager()

    class Meta(TenantModel.Meta):
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError()


class CashSession(TenantModel):
    """A shift at one emission point: opened with a float, closed with a count."""

    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="cash_sessions"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("abierta por"),
    )
    opened_at = models.DateTimeField(_("apertura"), default=timezone.now)
    opening_float = models.DecimalField(_("fondo inicial"), **MONEY)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cerrada por"),
    )
    closed_at = models.DateTimeField(_("cierre"), null=True, blank=True)
    # {payment method code: "amount"} written once at closing.
    expected = models.JSONField(_("esperado"), default=dict, blank=True)
    counted = models.JSONField(_("contado"), default=dict, blank=True)
    difference = models.DecimalField(_("diferencia"), null=True, blank=True, **MONEY)
    note = models.CharField(_("nota"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sesión de caja")
        verbose_name_plural = _("sesiones de caja")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "emission_point"],
                condition=models.Q(closed_at__isnull=True),
                name="uniq_open_cash_session",
            ),
            models.CheckConstraint(
                condition=models.Q(opening_float__gte=0),
                name="cash_session_float_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.emission_point_id} · {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CashMovement(InsertOnlyModel):
    """Cash put in or taken out of a drawer, or reversed by a void."""

    class Kind(models.TextChoices):
        CASH_IN = "in", _("Ingreso")
        CASH_OUT = "out", _("Retiro")
        VOID = "void", _("Reverso por anulación")
        RETURN = "return", _("Devolución")

    session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    method = models.CharField(
        _("forma de pago"),
        max_length=2,
        choices=PaymentMethod.choices,
        default=PaymentMethod.CASH,
    )
    # Signed: positive into the drawer, negative out of it.
    amount = models.DecimalField(_("monto"), **MONEY)
    reason = models.CharField(_("motivo"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    void = models.ForeignKey(
        "Void",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cash_movements",
    )
    sale_return = models.ForeignKey(
        "SaleReturn",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cash_movements",
    )

    class Meta:
        verbose_name = _("movimiento de caja")
        verbose_name_plural = _("movimientos de caja")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["business", "session"], name="cashmove_biz_session")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class Sale(InsertOnlyModel):
    """A posted invoice (factura). Never edited: voided by a Void."""

    idempotency_key = models.UUIDField(_("clave de idempotencia"), default=uuid.uuid4)
    # SHA-256 of the normalized request posted with the key: a replay must match it.
    request_hash = models.CharField(
        _("huella de la solicitud"), max_length=64, blank=True, editable=False
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="+"
    )
    emission_point = models.ForeignKey(
        EmissionPoint, on_delete=models.PROTECT, related_name="+"
    )
    cash_session = models.ForeignKey(
        CashSession, on_delete=models.PROTECT, related_name="sales"
    )
    number = models.PositiveBigIntegerField(_("secuencial"))
    document_number = models.CharField(_("número"), max_length=17)
    posted_at = models.DateTimeField(_("fecha"), default=timezone.now)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cajero"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Customer snapshot, as printed on the invoice (infoFactura).
    customer_id_type = models.CharField(
        _("tipo de identificación"), max_length=2, choices=IdType.choices
    )
    customer_identification = models.CharField(_("identificación"), max_length=20)
    customer_name = models.CharField(_("cliente"), max_length=300)
    customer_address = models.CharField(_("dirección"), max_length=300, blank=True)
    customer_email = models.CharField(_("correo"), max_length=254, blank=True)
    customer_phone = models.CharField(_("teléfono"), max_length=30, blank=True)
    subtotal = models.DecimalField(_("subtotal sin impuestos"), **MONEY)
    discount_total = models.DecimalField(_("descuento"), **MONEY)
    tax_total = models.DecimalField(_("IVA"), **MONEY)
    service_charge = models.DecimalField(_("servicio (propina)"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    tendered = models.DecimalField(_("efectivo recibido"), **MONEY)
    change = models.DecimalField(_("cambio"), **MONEY)
    # Who let a discount above the cashier's maximum through (their PIN), or
    # the manager/owner who gave it; empty when no discount needed approval.
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("descuento autorizado por"),
    )

    class Meta:
        verbose_name = _("venta")
        verbose_name_plural = _("ventas")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "idempotency_key"], name="uniq_sale_idempotency"
            ),
            models.UniqueConstraint(
                fields=["business", "emission_point", "number"],
                name="uniq_sale_number",
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=0)
                & models.Q(subtotal__gte=0)
                & models.Q(tax_total__gte=0)
                & models.Q(service_charge__gte=0)
                & models.Q(change__gte=0),
                name="sale_amounts_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "posted_at"], name="sale_biz_posted"),
            models.Index(fields=["business", "cash_session"], name="sale_biz_session"),
            # Search by number in the back office (001-001-000012345 or 12345).
            models.Index(fields=["business", "number"], name="sale_biz_number"),
            # Search by customer: customers are matched first, then this.
            models.Index(
                fields=["business", "customer", "posted_at"], name="sale_biz_customer"
            ),
        ]

    def __str__(self):
        return self.document_number


class SaleLine(InsertOnlyModel):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("línea"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("código"), max_length=40)
    name = models.CharField(_("descripción"), max_length=300)
    modifiers = models.JSONField(_("modificadores"), default=list, blank=True)
    note = models.CharField(_("nota"), max_length=300, blank=True)
    quantity = models.DecimalField(_("cantidad"), **UNIT)
    unit_price = models.DecimalField(_("precio unitario sin IVA"), **UNIT)
    discount = models.DecimalField(_("descuento"), **MONEY)
    tax_code = models.CharField(_("IVA"), max_length=2, choices=TaxCategory.choices)
    tax_rate = models.DecimalField(_("tarifa"), max_digits=5, decimal_places=2)
    base = models.DecimalField(_("base imponible"), **MONEY)
    tax = models.DecimalField(_("IVA"), **MONEY)

    class Meta:
        verbose_name = _("línea de venta")
        verbose_name_plural = _("líneas de venta")
        ordering = ["sale_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "sale", "position"], name="uniq_sale_line_position"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0)
                & models.Q(discount__gte=0)
                & models.Q(base__gte=0),
                name="sale_line_amounts_valid",
            ),
        ]

    def __str__(self):
        return f"{decimal_text(self.quantity)} × {self.name}"

    @property
    def total(self) -> Decimal:
        return self.base + self.tax


class SaleTax(InsertOnlyModel):
    """Per-sale total of one IVA category (totalConImpuestos/totalImpuesto)."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="taxes")
    tax_code = models.CharField(_("IVA"), max_length=2, choices=TaxCategory.choices)
    rate = models.DecimalField(_("tarifa"), max_digits=5, decimal_places=2)
    base = models.DecimalField(_("base imponible"), **MONEY)
    tax = models.DecimalField(_("valor"), **MONEY)

    class Meta:
        verbose_name = _("impuesto de venta")
        verbose_name_plural = _("impuestos de venta")
        ordering = ["sale_id", "tax_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "sale", "tax_code"], name="uniq_sale_tax_code"
            )
        ]

    def __str__(self):
        return f"{self.get_tax_code_display()}: {self.base} / {self.tax}"


class Payment(InsertOnlyModel):
    """How the sale was paid (pagos/pago); amounts add up to the sale total."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(
        _("forma de pago"), max_length=2, choices=PaymentMethod.choices
    )
    amount = models.DecimalField(_("monto"), **MONEY)
    reference = models.CharField(_("referencia"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("pago")
        verbose_name_plural = _("pagos")
        ordering = ["sale_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            )
        ]
        indexes = [models.Index(fields=["business", "sale"], name="payment_biz_sale")]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount}"


# Voids, PIN failures and returns live in their own modules (this one is long
# enough); Django registers the models imported here.
from .returns_models import SaleReturn, SaleReturnLine  # noqa: E402
from .voids_models import PinFailure, Void  # noqa: E402

__all__ = [
    "CashMovement",
    "CashSession",
    "Payment",
    "PaymentMethod",
    "PinFailure",
    "Sale",
    "SaleLine",
    "SaleReturn",
    "SaleReturnLine",
    "SaleTax",
    "Void",
]
