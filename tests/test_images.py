"""Hostile images (issue 10): logos and product images are refused from their
header (size, format by content, pixel count) and stored small, without metadata."""

import struct
import zlib
from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.urls import reverse
from PIL import Image

from backoffice.catalog.models import Product
from backoffice.images import image_check, image_shrink
from backoffice.tenancy.admin import BusinessForm
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business
from tests.catalog.test_product_admin import ADD, product_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def huge_png(side=12000) -> SimpleUploadedFile:
    """A few hundred bytes declaring side x side pixels (never built in memory)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("enorme.png", data, content_type="image/png")


def picture(fmt="JPEG", size=(2000, 1500), name="foto.jpg", exif=True):
    image = Image.new("RGB", size, "orange")
    buffer = BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "CamaraEspia"  # Make
        tags[0x9286] = "ubicacion secreta"  # UserComment
        options["exif"] = tags.tobytes()
    image.save(buffer, format=fmt, **options)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_too_many_pixels_are_refused_from_the_header():
    with pytest.raises(ValidationError) as info:
        image_check(huge_png())
    assert info.value.code == "image_too_many_pixels"
    with pytest.raises(ValidationError):
        image_check(huge_png(4001))
    assert image_check(picture(size=(400, 300))) == "JPEG"


@pytest.mark.parametrize("fmt", ["BMP", "GIF", "TIFF"])
def test_only_jpeg_png_and_webp_by_content(fmt):
    upload = picture(fmt, (40, 30), name="disfrazado.jpg", exif=False)
    with pytest.raises(ValidationError) as info:
        image_check(upload)
    assert info.value.code == "image_format"


def test_files_over_5_mb_are_refused():
    upload = SimpleUploadedFile("grande.jpg", b"\xff\xd8" + b"\0" * (6_500_000))
    with pytest.raises(ValidationError) as info:
        image_check(upload)
    assert info.value.code == "image_too_large"


def test_shrink_fits_the_side_and_drops_the_metadata():
    stored = image_shrink(picture(), max_side=800)
    with Image.open(stored) as image:
        assert image.size == (800, 600)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    assert b"CamaraEspia" not in stored.read()


# -- product images in the admin -------------------------------------------------------
def test_a_12000_px_product_image_is_refused(owner_client, business, media):
    data = product_form(owner_client, image=huge_png())
    response = owner_client.post(ADD, data)
    assert response.status_code == 200
    assert "4000 × 4000" in response.content.decode()
    with tenant_context(business):
        assert not Product.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_product_image_is_stored_at_most_800_px(owner_client, business, media):
    response = owner_client.post(ADD, product_form(owner_client, image=picture()))
    assert response.status_code == 302
    with tenant_context(business):
        product = Product.objects.get(code="A-1")
        with Image.open(product.image.path) as image:
            assert max(image.size) == 800
            assert not image.getexif()


# -- logos ---------------------------------------------------------------------------
def _form_fields() -> list[str]:
    """What the owner's business form posts (the admin's own fieldsets, so a new
    setting never makes this test post an incomplete form)."""
    from django.contrib import admin

    from backoffice.tenancy.models import Business as Model

    fieldsets = admin.site._registry[Model].fieldsets
    skip = {"ruc", "ruc_verified_at", "logo"}
    return [f for _name, opts in fieldsets for f in opts["fields"] if f not in skip]


FIELDS = _form_fields()


def post_logo(client, business, upload):
    with system_context():
        form = modelform_factory(Business, form=BusinessForm, fields=FIELDS)(
            instance=business
        )
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    url = reverse("admin:tenancy_business_change", args=[business.pk])
    return client.post(url, data | {"logo": upload})


@pytest.mark.parametrize(
    "upload",
    [
        huge_png(),
        picture("BMP", (40, 30), name="logo.bmp", exif=False),
        SimpleUploadedFile("logo.png", b"\x89PNG" + b"\0" * 6_500_000),
    ],
    ids=["12000px", "bmp", "6.5MB"],
)
def test_a_hostile_logo_is_refused(owner_client, business, media, upload):
    response = post_logo(owner_client, business, upload)
    assert response.status_code == 200
    with system_context():
        business.refresh_from_db()
    assert not business.logo
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_logo_is_stored_at_most_600_px_without_metadata(
    owner_client, business, media
):
    response = post_logo(owner_client, business, picture(size=(1800, 600)))
    assert response.status_code == 302, response.content.decode()[-3000:]
    with system_context():
        business.refresh_from_db()
    with Image.open(business.logo.path) as image:
        assert image.size == (600, 200)
        assert not image.getexif()
