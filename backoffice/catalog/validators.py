"""Validators for catalog data: barcodes (GS1 check digit) and product images."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from stdnum import ean

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
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
    """A real JPEG, PNG or WebP image (opened by Pillow) of at most 5 MB."""

    def __call__(self, file) -> None:
        if not file:
            return
        if file.size > MAX_IMAGE_BYTES:
            raise ValidationError(_("La imagen supera 5 MB."), code="image_too_large")
        file.seek(0)
        try:
            with Image.open(file) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                _("El archivo no es una imagen válida."), code="image_invalid"
            )
        finally:
            file.seek(0)
        if kind not in IMAGE_FORMATS:
            raise ValidationError(
                _("Formato de imagen no admitido: use JPEG, PNG o WebP."),
                code="image_format",
            )

    def __eq__(self, other):
        return isinstance(other, ImageValidator)


validate_product_image = ImageValidator()
