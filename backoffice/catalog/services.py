"""Catalog writes: prices with or without IVA, thumbnails, bulk changes."""

from decimal import Decimal
from io import BytesIO
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from simple_history.utils import bulk_update_with_history

from backoffice.tenancy.models import Business
from core import calc
from core.money import round_money, to_decimal

from .models import Category, Product

THUMBNAIL_SIZE = (320, 320)


def price_net(*, amount, includes_tax: bool, tax_category: str) -> Decimal:
    """The price without IVA (6 decimals) of an amount typed with or without it."""
    return calc.net_price(amount, tax_category, includes_tax=includes_tax)


def price_as_entered(*, product: Product) -> Decimal:
    """The price the way the owner types it: with IVA (to the cent) or without."""
    if product.price_includes_tax:
        return product.price_gross
    return product.price


def _thumbnail_name(image_name: str) -> str:
    return f"{PurePosixPath(image_name).stem}.webp"


def product_thumbnail_ensure(*, product: Product) -> bool:
    """Make the POS-grid thumbnail of the product's image, once per image.

    Returns True when a thumbnail was written. Storage goes through Django's
    storage API, so any django-storages backend works unchanged.
    """
    if not product.image:
        if product.thumbnail:
            Product.unscoped_objects.filter(pk=product.pk).update(thumbnail="")
            product.thumbnail = ""
        return False
    wanted = _thumbnail_name(product.image.name)
    if product.thumbnail and PurePosixPath(product.thumbnail.name).name == wanted:
        return False
    product.image.open("rb")
    try:
        with Image.open(product.image) as source:
            image = ImageOps.exif_transpose(source)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            buffer = BytesIO()
            image.save(buffer, format="WEBP", quality=82)
    finally:
        product.image.close()
    product.thumbnail.save(wanted, ContentFile(buffer.getvalue()), save=False)
    Product.unscoped_objects.filter(pk=product.pk).update(
        thumbnail=product.thumbnail.name
    )
    return True


@transaction.atomic
def product_save(*, business: Business, product: Product) -> Product:
    """Save a validated product of this business and make its thumbnail."""
    if product.business_id is None:
        product.business = business
    if product.business_id != business.pk:
        raise ValidationError(_("El producto no pertenece a este negocio."))
    product.save()
    product_thumbnail_ensure(product=product)
    return product


def _products(business, product_ids):
    return list(Product.objects.for_business(business).filter(pk__in=product_ids))


@transaction.atomic
def product_bulk_set_active(
    *, business: Business, product_ids, active: bool, user=None
) -> int:
    products = _products(business, product_ids)
    for product in products:
        product.is_active = active
    bulk_update_with_history(
        products, Product, ["is_active", "updated_at"], default_user=user
    )
    return len(products)


@transaction.atomic
def product_bulk_set_category(
    *, business: Business, product_ids, category: Category | None, user=None
) -> int:
    if category is not None and category.business_id != business.pk:
        raise ValidationError(_("La categoría no pertenece a este negocio."))
    products = _products(business, product_ids)
    for product in products:
        product.category = category
    bulk_update_with_history(
        products, Product, ["category", "updated_at"], default_user=user
    )
    return len(products)


def price_after_change(*, product: Product, percent) -> Decimal:
    """The new price without IVA after a % change of the price as entered."""
    factor = (100 + to_decimal(percent)) / 100
    entered = round_money(price_as_entered(product=product) * factor)
    return price_net(
        amount=entered,
        includes_tax=product.price_includes_tax,
        tax_category=product.tax_category,
    )


@transaction.atomic
def product_bulk_change_price(
    *, business: Business, product_ids, percent, user=None
) -> int:
    """Raise (or lower) prices by a percentage of the price as the owner sees it.

    The result is rounded to the cent in the way the price was entered (with or
    without IVA), then stored without IVA as always.
    """
    percent = to_decimal(percent)
    if percent <= -100:
        raise ValidationError(_("El porcentaje debe ser mayor que -100."))
    products = _products(business, product_ids)
    for product in products:
        product.price = price_after_change(product=product, percent=percent)
    bulk_update_with_history(
        products, Product, ["price", "updated_at"], default_user=user
    )
    return len(products)
