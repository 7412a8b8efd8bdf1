"""A business created by sign-up sells at once (issue 11, "Business defaults")."""

import uuid
from decimal import Decimal

import pytest

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business
from tests.factories import valid_ruc
from tests.tenancy.links import link_in

PASSWORD = "Quito-Norte-2026"
pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_up(client, mailoutbox, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ruc = valid_ruc()
    client.post(
        "/signup/",
        {
            "email": "tienda@example.ec",
            "ruc": ruc,
            "razon_social": "Tienda Nueva S.A.",
            "nombre_comercial": "Tienda Nueva",
            "direccion_matriz": "Av. 10 de Agosto, Quito",
            "mode": "retail",
        },
    )
    link = link_in(mailoutbox[-1], "/signup/confirm/")
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    with system_context():
        business = Business.objects.get(ruc=ruc)
    with tenant_context(business):
        # Created as the back office does: stock tracked, nothing received.
        product = Product.objects.create(
            business=business, code="ARROZ", name="Arroz 1 kg", price=Decimal("1.10")
        )
    assert product.track_stock
    opened = client.post(
        "/pos/api/cash-sessions",
        {"opening_float": "20.00"},
        content_type="application/json",
    )
    assert opened.status_code == 201
    return business, product


def _sell(client, product):
    return client.post(
        "/pos/api/sales",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [{"product": product.pk, "quantity": "2"}],
            "payments": [{"method": "01", "amount": "5.00"}],
        },
        content_type="application/json",
    )


def test_first_sale_of_a_new_product_goes_through_and_is_flagged(client, signed_up):
    business, product = signed_up
    assert business.allow_negative_stock

    response = _sell(client, product)

    assert response.status_code == 201, response.json()
    with tenant_context(business):
        level = StockLevel.objects.get(business=business, product=product)
    assert level.quantity == Decimal("-2")
    dashboard = client.get("/admin/").content.decode()
    assert "1 con stock negativo: registre la recepción" in dashboard


def test_strict_mode_refuses_the_same_sale(client, signed_up):
    business, product = signed_up
    with system_context():
        Business.objects.filter(pk=business.pk).update(allow_negative_stock=False)

    response = _sell(client, product)

    assert response.status_code == 400
    assert response.json()["error"] == "insufficient_stock"
