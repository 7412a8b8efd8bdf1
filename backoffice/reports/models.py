"""Daily roll-ups of closed days: the 12-month reports read these, not a million lines.

A closed day (before today, local time) is summed once by `services.rollup_day`;
reports read its rows together with a live query for the days not rolled up
(today, and any day a late void or a late sale has reopened). The rows are
derived data: `services.rollup_invalidate` deletes a day's rows in the same
transaction as the void or sale that changes it, and the next roll-up rebuilds it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy.models import TenantModel

MONEY = {"max_digits": 16, "decimal_places": 2}


class DailySales(TenantModel):
    """Per closed day: one row per establishment that sold, and one without
    establishment (zeros) that marks the day as rolled up, sales or not."""

    day = models.DateField(_("día"))
    tickets = models.PositiveIntegerField(_("tickets"))
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    tax = models.DecimalField(_("IVA"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    # The establishment whose sales the row sums (an id, no constraint: derived
    # rows never block deleting what they summed). DailySales also has one row
    # per closed day without establishment: the "this day is rolled up" mark.
    establishment = models.ForeignKey(
        "tenancy.Establishment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ventas del día")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day", "establishment"], name="uniq_daily_sales"
            )
        ]


class DailyPayment(TenantModel):
    day = models.DateField(_("día"))
    method = models.CharField(_("forma de pago"), max_length=2)
    count = models.PositiveIntegerField(_("pagos"))
    amount = models.DecimalField(_("monto"), **MONEY)

    # The establishment whose sales the row sums (an id, no constraint: derived
    # rows never block deleting what they summed). DailySales also has one row
    # per closed day without establishment: the "this day is rolled up" mark.
    establishment = models.ForeignKey(
        "tenancy.Establishment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pagos del día")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day", "establishment", "method"],
                name="uniq_daily_payment",
            )
        ]


class DailyProduct(TenantModel):
    day = models.DateField(_("día"))
    code = models.CharField(_("código"), max_length=40)
    name = models.CharField(_("descripción"), max_length=300)
    quantity = models.DecimalField(_("cantidad"), max_digits=20, decimal_places=6)
    base = models.DecimalField(_("base imponible"), **MONEY)
    # Quantity × the product's cost when the day was rolled up (cost of the sale).
    cost = models.DecimalField(_("costo"), default=0, **MONEY)
    category = models.CharField(_("categoría"), max_length=120, blank=True)
    # Where and what was sold, for the reorder suggestions (ids, no constraint:
    # derived rows never block deleting what they summed).
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    establishment = models.ForeignKey(
        "tenancy.Establishment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("productos del día")
        indexes = [models.Index(fields=["business", "day"], name="daily_product_day")]


class DailyFigure(TenantModel):
    """A closed day's sales broken down by one dimension (hour, cashier, ...).

    `key` is the dimension's value as text: the local hour ("0".."23"), the
    cashier's or establishment's id, the IVA code and rate ("4:15.00").
    """

    class Dimension(models.TextChoices):
        HOUR = "hour", _("hora")
        CASHIER = "cashier", _("cajero")
        ESTABLISHMENT = "establishment", _("establecimiento")
        TAX = "tax", _("tarifa de IVA")
        CUSTOMER = "customer", _("cliente")

    day = models.DateField(_("día"))
    dimension = models.CharField(_("dimensión"), max_length=16)
    key = models.CharField(_("clave"), max_length=40)
    count = models.PositiveIntegerField(_("tickets"))
    base = models.DecimalField(_("base imponible"), **MONEY)
    tax = models.DecimalField(_("IVA"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    # The establishment whose sales the row sums (an id, no constraint: derived
    # rows never block deleting what they summed). DailySales also has one row
    # per closed day without establishment: the "this day is rolled up" mark.
    establishment = models.ForeignKey(
        "tenancy.Establishment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("cifras del día")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "day", "establishment", "dimension", "key"],
                name="uniq_daily_figure",
            )
        ]
        indexes = [
            models.Index(
                fields=["business", "dimension", "day"], name="daily_figure_dim_day"
            )
        ]


class MonthClose(TenantModel):
    """One close or reopening of a business's fiscal month (append-only).

    The newest row of a month says whether it is closed. `digest` is the
    fingerprint of the month's documents and voids when the row was written:
    a later change (a late void, a document authorised late) changes the
    fingerprint, and the page shows the month as reopened.
    """

    class Action(models.TextChoices):
        CLOSE = "close", _("Cierre")
        REOPEN = "reopen", _("Reapertura")

    month = models.DateField(_("mes"), help_text=_("primer día del mes"))
    action = models.CharField(_("acción"), max_length=8, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("usuario"),
    )
    digest = models.CharField(_("huella"), max_length=64)
    documents = models.PositiveIntegerField(_("comprobantes"), default=0)
    note = models.CharField(_("nota"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("cierre del mes")
        verbose_name_plural = _("cierres del mes")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["business", "month", "-id"], name="month_close_latest")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.action}"
