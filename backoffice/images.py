"""Uploaded images (business logos, product images): checked before decoding,
stored small (issue 10).

A 140 KB PNG can declare 12000 x 12000 pixels, and decoding it costs hundreds
of megabytes on every receipt or thumbnail. So an upload is refused from its
header alone (Pillow's `open` reads no pixels) when it is too large, not a
JPEG/PNG/WebP by content, or has too many pixels; an accepted one is scaled
down and re-encoded without its metadata (EXIF GPS position, camera, comments).
"""

import warnings
from io import BytesIO
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 4000
MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE  # 16 megapixels
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
LOGO_MAX_SIDE = 600
PRODUCT_IMAGE_MAX_SIDE = 800

# Anywhere in the process (receipts, thumbnails), Pillow refuses to open an
# image of more than twice this many pixels and warns above it.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

INVALID_IMAGE = _(
    "Suba una imagen JPEG, PNG o WebP de hasta 5 MB y 4000 × 4000 píxeles."
)


def image_check(file) -> str:
    """Refuse an upload from its header; return its format (JPEG, PNG, WEBP)."""
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("La imagen supera 5 MB."), code="image_too_large")
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind, (width, height) = image.format, image.size
                if kind in IMAGE_FORMATS and width * height <= MAX_IMAGE_PIXELS:
                    image.verify()
    except Image.DecompressionBombError:
        kind, width, height = "", MAX_IMAGE_SIDE + 1, MAX_IMAGE_SIDE + 1
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("El archivo no es una imagen válida."), code="image_invalid"
        )
    finally:
        file.seek(0)
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("La imagen tiene demasiados píxeles: máximo 4000 × 4000."),
            code="image_too_many_pixels",
        )
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            _("Formato de imagen no admitido: use JPEG, PNG o WebP."),
            code="image_format",
        )
    return kind


def image_shrink(file, *, max_side: int) -> SimpleUploadedFile:
    """A checked upload scaled to fit `max_side`, re-encoded without metadata."""
    kind = image_check(file)
    with Image.open(file) as source:
        if kind == "JPEG":
            source.draft("RGB", (max_side, max_side))  # decode at reduced size
        image = ImageOps.exif_transpose(source)
        image.thumbnail((max_side, max_side))
        keep_alpha = kind != "JPEG"
        mode = "RGBA" if keep_alpha and image.mode not in ("RGB", "L") else "RGB"
        if image.mode != mode:
            image = image.convert(mode)
        image.info.clear()  # no EXIF, ICC, text chunks or comments
        buffer = BytesIO()
        options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}}
        image.save(buffer, format=kind, **options.get(kind, {"quality": 85}))
    file.seek(0)
    name = f"{PurePosixPath(file.name or 'imagen').stem}.{IMAGE_FORMATS[kind]}"
    content_type = f"image/{IMAGE_FORMATS[kind].replace('jpg', 'jpeg')}"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def clean_uploaded_image(value, *, max_side: int):
    """For a form's `clean_<field>`: only a new upload is checked and shrunk."""
    if isinstance(value, UploadedFile):
        return image_shrink(value, max_side=max_side)
    return value
