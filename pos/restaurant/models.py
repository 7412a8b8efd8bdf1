"""Restaurant mode: the floor (areas, tables), stations, orders and kitchen tickets.

An order is not a sale: it changes until it is billed. Billing turns each part
of the bill into its own sale through the counter's checkout (pos.services).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.catalog.models import Category, Product
from backoffice.tenancy.models import TenantModel
from pos.models import Sale

MONEY = {"max_digits": 14, "decimal_places": 2}
QTY = {"max_digits": 14, "decimal_places": 6}


class RestaurantSettings(TenantModel):
    """The owner's restaurant rules (the service rate is the business's own)."""

    waiters_take_payment = models.BooleanField(
        _("los meseros pueden cobrar"), default=False
    )
    cancel_pin_limit = models.DecimalField(
        _("PIN de administrador para anular desde (USD)"),
        default=Decimal("5.00"),
        **MONEY,
    )

    class Meta:
        verbose_name = _("ajustes de restaurante")
        verbose_name_plural = _("ajustes de restaurante")
        constraints = [
            models.UniqueConstraint(
                fields=["business"], name="uniq_restaurant_settings"
            )
        ]

    def __str__(self):
        return str(_("Restaurante %(business)s") % {"business": self.business})


class Area(TenantModel):
    name = models.CharField(_("nombre"), max_length=80)
    sort_order = models.PositiveIntegerField(_("orden"), default=0)

    class Meta:
        verbose_name = _("área")
        verbose_name_plural = _("áreas")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="uniq_area_name")
        ]

    def __str__(self):
        return self.name


class Table(TenantModel):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="tables", verbose_name=_("área")
    )
    name = models.CharField(_("nombre"), max_length=20)
    seats = models.PositiveSmallIntegerField(
        _("puestos"), default=4, validators=[MinValueValidator(1)]
    )
    # Position on the floor plan, in percent of the area's width and height.
    x = models.PositiveSmallIntegerField(
        _("posición horizontal (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    y = models.PositiveSmallIntegerField(
        _("posición vertical (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    is_active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("mesa")
        verbose_name_plural = _("mesas")
        ordering = ["area__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="uniq_table_name")
        ]

    def __str__(self):
        return str(_("Mesa %(name)s") % {"name": self.name})


class Station(TenantModel):
    class Kind(models.TextChoices):
        KITCHEN = "cocina", _("Cocina")
        BAR = "bar", _("Bar")

    name = models.CharField(_("nombre"), max_length=60)
    kind = models.CharField(
        _("tipo"), max_length=10, choices=Kind.choices, default=Kind.KITCHEN
    )
    is_default = models.BooleanField(
        _("por defecto"),
        default=False,
        help_text=_("Recibe los productos que no tienen otra estación."),
    )

    class Meta:
        verbose_name = _("estación")
        verbose_name_plural = _("estaciones")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "name"], name="uniq_station_name"
            )
        ]

    def __str__(self):
        return self.name


class StationRoute(TenantModel):
    """Send a category's or one product's items to a station (product wins)."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="routes"
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("categoría"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("producto"),
    )

    class Meta:
        verbose_name = _("ruta")
        verbose_name_plural = _("rutas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__isnull=False)
                | models.Q(product__isnull=False),
                name="route_has_target",
            )
        ]

    def __str__(self):
        return str(self.product or self.category)


class Order(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Abierta")
        CLOSED = "closed", _("Cerrada")

    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Optimistic concurrency: every change bumps it; a change made against an
    # older version is refused (adding lines never is: both waiters keep theirs).
    version = models.PositiveIntegerField(default=1)
    guests = models.PositiveSmallIntegerField(_("comensales"), default=0)
    service_charge = models.BooleanField(_("cobrar servicio"), default=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    bill_requested_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("orden de mesa")
        verbose_name_plural = _("órdenes de mesa")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "table"],
                condition=models.Q(status="open"),
                name="one_open_order_per_table",
            )
        ]

    def __str__(self):
        return f"{self.table} · #{self.pk}"


class OrderItem(TenantModel):
    class State(models.TextChoices):
        NEW = "new", _("Nuevo")
        SENT = "sent", _("Enviado")
        CANCELLED = "cancelled", _("Anulado")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=300)
    # Snapshot of the price when added (without IVA, modifiers included), for the
    # floor's running total and the pre-bill; the sale prices again at checkout.
    unit_price = models.DecimalField(**QTY)
    tax_code = models.CharField(max_length=2)
    quantity = models.DecimalField(
        **QTY, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    modifier_ids = models.JSONField(default=list, blank=True)
    modifiers = models.JSONField(default=list, blank=True)
    note = models.CharField(_("nota"), max_length=200, blank=True)
    seat = models.PositiveSmallIntegerField(_("puesto"), null=True, blank=True)
    course = models.PositiveSmallIntegerField(_("tiempo"), default=1)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="order_item_quantity_positive"
            )
        ]

    def __str__(self):
        return self.name


class KitchenTicket(TenantModel):
    class Kind(models.TextChoices):
        ORDER = "order", _("Comanda")
        CANCEL = "cancel", _("Anulación")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets")
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="tickets"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    table_name = models.CharField(max_length=20)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["business", "station", "ready_at"], name="ticket_station_ready"
            )
        ]

    def __str__(self):
        return f"{self.station} #{self.pk}"


class KitchenTicketLine(TenantModel):
    ticket = models.ForeignKey(
        KitchenTicket, on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=300)
    quantity = models.DecimalField(**QTY)
    note = models.CharField(max_length=200, blank=True)
    seat = models.PositiveSmallIntegerField(null=True, blank=True)
    course = models.PositiveSmallIntegerField(default=1)
    cancel = models.BooleanField(default=False)

    class Meta:
        ordering = ["course", "pk"]
        constraints = [
            # An item goes to the kitchen once (and is cancelled at most once).
            models.UniqueConstraint(
                fields=["business", "item", "cancel"], name="uniq_ticket_item"
            )
        ]

    def __str__(self):
        return self.name


class BillPart(TenantModel):
    """One part of a split bill: becomes one sale (idempotent on `key`)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="parts")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60, blank=True)
    # [{"item": OrderItem id, "quantity": "1.5"}]: what this part pays for.
    lines = models.JSONField(default=list)
    service_charge = models.BooleanField(default=True)
    key = models.UUIDField()
    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            # One part per sale, within the business (every unique key is).
            models.UniqueConstraint(fields=["business", "sale"], name="uniq_part_sale"),
            models.UniqueConstraint(
                fields=["business", "order", "number"], name="uniq_bill_part"
            ),
            models.UniqueConstraint(fields=["business", "key"], name="uniq_part_key"),
        ]

    def __str__(self):
        return f"{self.order} · {self.number}"
