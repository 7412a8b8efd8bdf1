"""Uploads in production (DEBUG off): served by URL, and receipts carry the URL."""

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backoffice.tenancy.context import system_context
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product, point_of

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#0f766e").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logo(business, media_root):
    with system_context():
        business.logo = SimpleUploadedFile("marca.png", _png())
        business.save()
    return business.logo


def test_uploaded_logo_is_served_with_debug_off(client, logo, media_root):
    response = client.get(logo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == (media_root / logo.name).read_bytes()
    assert "sandbox" in response["Content-Security-Policy"]


def test_missing_and_escaping_names_answer_404(client, logo, media_root, tmp_path):
    (tmp_path / "secret.txt").write_text("no")
    for url in (
        "/media/logos/otro.png",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/logos/",
        "/media/logos%00.png",
    ):
        assert client.get(url).status_code == 404, url


def test_a_non_image_upload_is_never_rendered_inline(client, media_root):
    (media_root / "logos").mkdir(parents=True)
    (media_root / "logos" / "x.html").write_text("<script>alert(1)</script>")
    response = client.get("/media/logos/x.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_receipts_carry_the_logo_url_never_the_server_path(
    client, business, logo, media_root
):
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    point = point_of(business)
    session = client.post(
        "/pos/api/cash-sessions",
        json.dumps({"emission_point": point.pk, "opening_float": "20.00"}),
        content_type="application/json",
    )
    assert session.status_code in (200, 201), session.content
    product = make_product(business, code="CAFE", name="Café", price="2.000000")
    sale = client.post(
        "/pos/api/sales",
        json.dumps(
            {
                "idempotency_key": str(uuid.uuid4()),
                "lines": [{"product": product.pk, "quantity": "1"}],
                "payments": [{"method": "01", "amount": "5.00"}],
                "customer": None,
            }
        ),
        content_type="application/json",
    )
    assert sale.status_code == 201, sale.content
    html = client.get(f"/pos/sales/{sale.json()['id']}/receipt").content.decode()
    assert f'<img class="logo" src="{logo.url}"' in html
    assert str(media_root) not in html
    assert client.get(logo.url).status_code == 200
    pdf = client.get(f"/pos/sales/{sale.json()['id']}/receipt.pdf").content
    assert b"/Subtype /Image" in pdf  # the logo, read through the storage API
