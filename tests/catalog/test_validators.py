from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backoffice.catalog.validators import validate_barcode, validate_product_image


@pytest.mark.parametrize(
    "code",
    [
        "4006381333931",  # EAN-13
        "7861001234565",  # EAN-13, Ecuadorian prefix 786
        "036000291452",  # UPC-A
        "96385074",  # EAN-8
        "ABC-123",  # free internal code
        "12345",  # numeric, but not GS1-shaped: free
        "",
    ],
)
def test_valid_barcodes_pass(code):
    validate_barcode(code)


@pytest.mark.parametrize(
    "code", ["4006381333932", "7861001234560", "036000291453", "96385075"]
)
def test_gs1_codes_with_a_wrong_check_digit_fail(code):
    with pytest.raises(ValidationError) as info:
        validate_barcode(code)
    assert info.value.code == "barcode_check_digit"


def test_barcode_with_spaces_fails():
    with pytest.raises(ValidationError):
        validate_barcode("4006381 333931")


def image_file(fmt="PNG", name="x.png", size=(40, 30)):
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize(
    "fmt,name", [("PNG", "a.png"), ("JPEG", "a.jpg"), ("WEBP", "a.webp")]
)
def test_jpeg_png_webp_images_pass(fmt, name):
    validate_product_image(image_file(fmt, name))


def test_gif_is_refused():
    with pytest.raises(ValidationError) as info:
        validate_product_image(image_file("GIF", "a.gif"))
    assert info.value.code == "image_format"


def test_a_text_file_named_png_is_refused():
    with pytest.raises(ValidationError) as info:
        validate_product_image(SimpleUploadedFile("a.png", b"not an image at all"))
    assert info.value.code == "image_invalid"


def test_images_over_5_mb_are_refused():
    big = image_file()
    big.size = 5 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as info:
        validate_product_image(big)
    assert info.value.code == "image_too_large"
