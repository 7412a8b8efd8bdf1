"""The admin shows posted documents read-only and only the business's own."""

import pytest
from django.test import Client

from pos.services import sale_void
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def voided(post, product, business, owner):
    from backoffice.tenancy.context import tenant_context

    sale = post([(product, 1)])
    with tenant_context(business):
        void = sale_void(business=business, sale=sale, actor=owner, reason="Prueba")
    return sale, void


def test_owner_sees_sale_void_and_cash_pages_read_only(owner_client, voided, session):
    sale, void = voided
    pages = [
        "/admin/pos/sale/",
        f"/admin/pos/sale/{sale.pk}/change/",
        "/admin/pos/void/",
        f"/admin/pos/void/{void.pk}/change/",
        "/admin/pos/cashsession/",
        f"/admin/pos/cashsession/{session.pk}/change/",
        "/admin/pos/cashmovement/",
    ]
    for url in pages:
        response = owner_client.get(url)
        assert response.status_code == 200, url
    detail = owner_client.get(f"/admin/pos/sale/{sale.pk}/change/").content.decode()
    assert "001-001-000000001" in detail and "Prueba" not in detail
    assert void.document_number in detail
    assert owner_client.get("/admin/pos/sale/add/").status_code == 403
    response = owner_client.post(f"/admin/pos/sale/{sale.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_other_business_sees_nothing(other_business, voided, session):
    sale, void = voided
    intruder = UserFactory()
    membership(other_business, intruder, "owner")
    client = Client()
    client.force_login(intruder)
    assert "001-001-000000001" not in client.get("/admin/pos/sale/").content.decode()
    for url in (
        f"/admin/pos/sale/{sale.pk}/change/",
        f"/admin/pos/void/{void.pk}/change/",
        f"/admin/pos/cashsession/{session.pk}/change/",
    ):
        assert client.get(url).status_code in (302, 404), url
