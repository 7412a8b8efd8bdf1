from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from backoffice.tenancy.context import current_business
from backoffice.tenancy.models import Business, TenantModel
from core import calc
from core.taxes import TaxCategory, rate_for

from .validators import validate_barcode, validate_product_image


class Category(TenantModel):
    name = models.CharField(_("nombre"), max_length=120)
    color = models.CharField(_("color"), max_length=7, default="#0f766e")
    icon = models.CharField(_("icono"), max_length=60, blank=True)
    sort_order = models.PositiveIntegerField(_("orden"), default=0)
    is_active = models.BooleanField(_("activa"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "name"],
                name="uniq_category_name",
                violation_error_message=_("Ya existe una categoría con este nombre."),
            )
        ]

    def __str__(self):
        return self.name


class Product(TenantModel):
    class Unit(models.TextChoices):
        UNIT = "unit", _("unidad")
        KG = "kg", _("kg")
        LITRE = "l", _("litro")

    code = models.CharField(_("código"), max_length=40)
    barcode = models.CharField(
        _("código de barras"),
        max_length=20,
        blank=True,
        validators=[validate_barcode],
        help_text=_("EAN-13, EAN-8, UPC o un código interno."),
    )
    name = models.CharField(_("nombre"), max_length=200)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="products",
        null=True,
        blank=True,
    )
    # Stored without IVA (what SRI calls precioUnitario); `price_includes_tax`
    # records how the owner typed it, so the admin can show it back that way.
    price = models.DecimalField(
        _("precio sin IVA"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_includes_tax = models.BooleanField(
        _("precio ingresado con IVA"), default=True
    )
    tax_category = models.CharField(
        _("IVA"), max_length=2, choices=TaxCategory.choices, default=TaxCategory.IVA_15
    )
    cost = models.DecimalField(
        _("costo"), max_digits=14, decimal_places=6, default=Decimal("0")
    )
    unit = models.CharField(
        _("unidad"), max_length=8, choices=Unit.choices, default="unit"
    )
    track_stock = models.BooleanField(_("controlar stock"), default=True)
    low_stock_threshold = models.DecimalField(
        _("stock mínimo"), max_digits=14, decimal_places=6, default=Decimal("0")
    )
    is_active = models.BooleanField(_("activo"), default=True)
    image = models.ImageField(
        _("imagen"),
        upload_to="products/",
        blank=True,
        validators=[validate_product_image],
        help_text=_("JPEG, PNG o WebP, hasta 5 MB."),
    )
    thumbnail = models.ImageField(
        upload_to="products/thumbs/", blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["thumbnail"])

    class Meta:
        verbose_name = _("producto")
        verbose_name_plural = _("productos")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "code"],
                name="uniq_product_code",
                violation_error_message=_("Ya existe un producto con este código."),
            ),
            models.UniqueConstraint(
                fields=["business", "barcode"],
                condition=~models.Q(barcode=""),
                name="uniq_product_barcode",
                violation_error_message=_(
                    "Ya existe un producto con este código de barras."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="product_price_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["business", "name"], name="product_biz_name"),
            # The scanner's exact look-up, in a plain index: the partial unique
            # one above serves it only when the planner proves barcode <> ''.
            models.Index(fields=["business", "barcode"], name="product_biz_barcode"),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    @property
    def tax_rate(self) -> Decimal:
        return rate_for(self.tax_category)

    @property
    def price_gross(self) -> Decimal:
        """The price with IVA, to the cent (what the customer pays per unit)."""
        return calc.gross_from_net(self.price, self.tax_category)


class ModifierGroup(TenantModel):
    """Restaurant options for products, e.g. "Término de la carne", "Extras"."""

    name = models.CharField(_("nombre"), max_length=120)
    min_choices = models.PositiveSmallIntegerField(_("mínimo"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("máximo"), default=1)
    products = models.ManyToManyField(
        Product,
        through="ModifierGroupProduct",
        related_name="modifier_groups",
        blank=True,
        verbose_name=_("productos"),
    )
    sort_order = models.PositiveIntegerField(_("orden"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grupo de modificadores")
        verbose_name_plural = _("grupos de modificadores")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "name"], name="uniq_modifier_group_name"
            ),
            models.CheckConstraint(
                condition=models.Q(max_choices__gte=models.F("min_choices")),
                name="modifier_group_min_le_max",
                violation_error_message=_("El mínimo no puede superar al máximo."),
            ),
        ]

    def __str__(self):
        return self.name


def _business_in_context():
    """Default owner of a link row added through a tenant relation (`.add()`,
    `.set()`, admin inlines): the business in context. With none, the insert
    fails (NOT NULL), as tenant writes without a business must."""
    business = current_business()
    return business.pk if business else None


class ModifierGroupProduct(TenantModel):
    """A product offered with a modifier group: the M2M link, with its business.

    Carrying `business_id` puts the link table under row-level security like
    every other tenant table (an auto-created M2M table would have none).
    """

    business = models.ForeignKey(
        Business,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        default=_business_in_context,
    )
    modifiergroup = models.ForeignKey(
        ModifierGroup, on_delete=models.CASCADE, verbose_name=_("grupo")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, verbose_name=_("producto")
    )

    class Meta(TenantModel.Meta):
        db_table = "catalog_modifiergroup_products"
        verbose_name = _("producto del grupo")
        verbose_name_plural = _("productos del grupo")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "modifiergroup", "product"],
                name="uniq_modifier_group_product",
            )
        ]

    def __str__(self):
        # Admin inlines load both (select_related): no query per row.
        return f"{self.modifiergroup.name} · {self.product.name}"


class ModifierOption(TenantModel):
    group = models.ForeignKey(
        ModifierGroup, on_delete=models.CASCADE, related_name="options"
    )
    name = models.CharField(_("nombre"), max_length=120)
    price_delta = models.DecimalField(
        _("precio adicional sin IVA"),
        max_digits=14,
        decimal_places=6,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("activo"), default=True)
    sort_order = models.PositiveIntegerField(_("orden"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opción")
        verbose_name_plural = _("opciones")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "group", "name"], name="uniq_modifier_option_name"
            )
        ]

    def __str__(self):
        return f"{self.group}: {self.name}"
