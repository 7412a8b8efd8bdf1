from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.taxes import CURRENT_CHOICES, TaxCategory

from .managers import TenantHistoryManager, TenantManager, UnscopedManager

three_digits = RegexValidator(r"^\d{3}$", _("Debe tener exactamente 3 dígitos."))


class Business(models.Model):
    """The tenant: one taxpayer (RUC) using SouthernPOS."""

    class Mode(models.TextChoices):
        RESTAURANT = "restaurant", _("Restaurante")
        RETAIL = "retail", _("Tienda")

    class Rimpe(models.TextChoices):
        NONE = "", _("Régimen general")
        EMPRENDEDOR = "emprendedor", _("RIMPE Emprendedor")
        POPULAR = "popular", _("RIMPE Negocio Popular")

    class ScaleBarcode(models.TextChoices):
        OFF = "", _("No se usan")
        WEIGHT = "weight", _("Peso en gramos")
        PRICE = "price", _("Precio en centavos")

    class Ambiente(models.TextChoices):
        PRUEBAS = "1", _("Pruebas")
        PRODUCCION = "2", _("Producción")

    # Unique only once verified: anyone may claim a RUC at sign-up, so an
    # unproven claim must not lock the real taxpayer out (see README).
    ruc = models.CharField(_("RUC"), max_length=13, db_index=True)
    ruc_verified_at = models.DateTimeField(
        _("RUC verificado"), null=True, blank=True, editable=False
    )
    razon_social = models.CharField(_("razón social"), max_length=300)
    nombre_comercial = models.CharField(
        _("nombre comercial"), max_length=300, blank=True
    )
    direccion_matriz = models.CharField(_("dirección matriz"), max_length=300)
    obligado_contabilidad = models.BooleanField(
        _("obligado a llevar contabilidad"), default=False
    )
    contribuyente_especial = models.CharField(
        _("contribuyente especial (resolución)"), max_length=13, blank=True
    )
    rimpe = models.CharField(
        _("régimen RIMPE"), max_length=20, choices=Rimpe.choices, blank=True
    )
    ambiente = models.CharField(
        _("ambiente SRI"), max_length=1, choices=Ambiente.choices, default="1"
    )
    mode = models.CharField(_("modo"), max_length=20, choices=Mode.choices)
    default_tax = models.CharField(
        _("IVA por defecto"),
        max_length=2,
        choices=CURRENT_CHOICES,
        default=TaxCategory.IVA_15,
    )
    prices_include_tax = models.BooleanField(_("precios incluyen IVA"), default=True)
    service_charge_rate = models.DecimalField(
        _("servicio (%)"), max_digits=5, decimal_places=2, default=0
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    brand_color = models.CharField(
        _("color de marca"),
        max_length=7,
        default="#0f766e",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use #RRGGBB."))],
    )
    receipt_footer = models.TextField(_("pie del recibo"), blank=True)
    # Off is the strict mode. Sign-up turns it on (issue 11): a new shop sells
    # before its first receiving; the dashboard warns of negative levels.
    allow_negative_stock = models.BooleanField(
        _("permitir stock negativo"),
        default=False,
        help_text=_(
            "Activado: se puede vender sin stock registrado; el stock queda negativo "
            "y el panel lo avisa. Desactivado (modo estricto): una venta o salida que "
            "dejaría el stock negativo se rechaza. Los negocios nuevos empiezan "
            "activado; desactívelo cuando haya registrado su inventario."
        ),
    )
    cashier_max_discount = models.DecimalField(
        _("descuento máximo del cajero (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "Un cajero puede aplicar descuentos (por línea o a la venta) hasta este "
            "porcentaje; por encima necesita el PIN de un administrador o del "
            "dueño. 100 = sin límite."
        ),
    )
    scale_barcodes = models.CharField(
        _("códigos de balanza (EAN-13 que empiezan con 2)"),
        max_length=8,
        choices=ScaleBarcode.choices,
        default=ScaleBarcode.OFF,
        blank=True,
        help_text=_(
            "Etiquetas de balanza 2X PPPPP VVVVV C: PPPPP es el código del producto "
            "y VVVVV el peso en gramos o el precio en centavos."
        ),
    )
    final_consumer_limit = models.DecimalField(
        _("límite consumidor final (USD)"), max_digits=10, decimal_places=2, default=50
    )
    is_active = models.BooleanField(_("activo"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("negocio")
        verbose_name_plural = _("negocios")
        ordering = ["razon_social"]
        constraints = [
            models.UniqueConstraint(
                fields=["ruc"],
                condition=models.Q(ruc_verified_at__isnull=False),
                name="uniq_verified_ruc",
                violation_error_message=_("Otro negocio ya verificó este RUC."),
            )
        ]

    def __str__(self):
        return self.nombre_comercial or self.razon_social

    @property
    def ruc_verified(self) -> bool:
        return self.ruc_verified_at is not None


class TenantModel(models.Model):
    """Abstract base of every tenant-owned model."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    unscoped_objects = UnscopedManager()

    class Meta:
        abstract = True
        base_manager_name = "unscoped_objects"


class Establishment(TenantModel):
    code = models.CharField(_("código"), max_length=3, validators=[three_digits])
    name = models.CharField(_("nombre"), max_length=120)
    address = models.CharField(_("dirección"), max_length=300)
    is_active = models.BooleanField(_("activo"), default=True)
    history = HistoricalRecords(history_manager=TenantHistoryManager)

    class Meta:
        verbose_name = _("establecimiento")
        verbose_name_plural = _("establecimientos")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "code"], name="uniq_establishment_code"
            )
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"


class EmissionPoint(TenantModel):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="emission_points"
    )
    code = models.CharField(_("código"), max_length=3, validators=[three_digits])
    name = models.CharField(_("nombre"), max_length=120)
    is_active = models.BooleanField(_("activo"), default=True)
    history = HistoricalRecords(history_manager=TenantHistoryManager)

    class Meta:
        verbose_name = _("punto de emisión")
        verbose_name_plural = _("puntos de emisión")
        ordering = ["establishment__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "establishment", "code"],
                name="uniq_emission_point_code",
            )
        ]

    def __str__(self):
        return f"{self.establishment.code}-{self.code} · {self.name}"


class Role(models.TextChoices):
    OWNER = "owner", _("Propietario")
    MANAGER = "manager", _("Administrador")
    CASHIER = "cashier", _("Cajero")
    WAITER = "waiter", _("Mesero")
    ACCOUNTANT = "accountant", _("Contador")


class Membership(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("activo"), default=True)
    pin = models.CharField(
        _("PIN de supervisor (hash)"), max_length=128, blank=True, editable=False
    )
    # None: an invitation the person has not accepted yet; it grants nothing.
    # An existing account added by another business's owner must consent.
    accepted_at = models.DateTimeField(
        _("aceptada"), null=True, blank=True, default=timezone.now, editable=False
    )
    history = HistoricalRecords(history_manager=TenantHistoryManager)

    class Meta:
        verbose_name = _("miembro")
        verbose_name_plural = _("miembros")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "user"], name="uniq_membership_user"
            )
        ]

    def __str__(self):
        return f"{self.display_person} · {self.get_role_display()}"

    @property
    def display_person(self) -> str:
        # Until accepted, only the e-mail the owner typed: the account's own
        # name would tell them the e-mail already had one.
        if self.is_pending and self.user.email:
            return self.user.email
        return str(self.user)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None


class Account(models.Model):
    """What SouthernPOS knows about a login beyond Django's user.

    No row means the least trust: the mailbox was never proven and the account
    is not business-local.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account",
    )
    # Set when the person followed a link sent to their e-mail (sign-up,
    # invitation, set or reset password). Only then may the account accept
    # another business's invitation.
    email_verified_at = models.DateTimeField(
        _("correo verificado"), null=True, blank=True
    )
    # Staff without a mailbox: an owner created this login for one business;
    # it has no e-mail and can never join another business.
    is_local = models.BooleanField(_("usuario local del negocio"), default=False)

    class Meta:
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")

    def __str__(self):
        return str(self.user)


class RucDispute(models.Model):
    """Someone says a verified RUC is theirs: platform staff look into it."""

    ruc = models.CharField(_("RUC"), max_length=13)
    email = models.EmailField(_("correo de contacto"))
    razon_social = models.CharField(_("razón social"), max_length=300)
    message = models.TextField(_("mensaje"), max_length=2000)
    resolved = models.BooleanField(_("resuelto"), default=False)
    created_at = models.DateTimeField(_("recibido"), auto_now_add=True)

    class Meta:
        verbose_name = _("reclamo de RUC")
        verbose_name_plural = _("reclamos de RUC")
        ordering = ["resolved", "-created_at"]

    def __str__(self):
        return f"{self.ruc} · {self.email}"
