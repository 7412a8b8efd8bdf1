"""Validators for catalog data: barcodes (GS1 check digit) and product images."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import ean

from backoffice.images import image_check

# Numeric codes of these lengths are GS1 (EAN-8, UPC-A, EAN-13, GTIN-14) and
# carry a check digit; anything else is a free internal code.
GS1_LENGTHS = {8, 12, 13, 14}


def is_gs1(value: str) -> bool:
    return value.isdigit() and len(value) in GS1_LENGTHS


def validate_barcode(value: str) -> None:
    """Accept free codes; a GS1-shaped code must have a valid check digit."""
    if not value:
        return
    if value != value.strip() or " " in value:
        raise ValidationError(_("El código de barras no puede tener espacios."))
    if is_gs1(value) and not ean.is_valid(value):
        raise ValidationError(
            _("Código de barras %(value)s: dígito verificador incorrecto."),
            code="barcode_check_digit",
            params={"value": value},
        )


@deconstructible
class ImageValidator:
    """A real JPEG, PNG or WebP image of at most 5 MB and 16 megapixels,
    checked from its header before any pixel is decoded (backoffice.images)."""

    def __call__(self, file) -> None:
        if file:
            image_check(file)

    def __eq__(self, other):
        return isinstance(other, ImageValidator)


validate_product_image = ImageValidator()
