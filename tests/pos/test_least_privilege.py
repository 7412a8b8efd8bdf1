"""Least privilege inside a business (issue 10): receipts (with the customer's
cédula, e-mail and address), the customer list and X/Z reports are seen only
by those who need them."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.tenancy.context import tenant_context
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db


def member(client, business, role):
    user = UserFactory()
    membership(business, user, role)
    client.force_login(user)
    return user


@pytest.fixture
def sale(post, product, customer):
    return post([(product, 1)], customer=customer)


RECEIPT_URLS = ["pos:sale-receipt-html", "pos:sale-receipt-pdf", "pos:api-sale"]


@pytest.mark.parametrize("url", RECEIPT_URLS)
@pytest.mark.parametrize("role", ["waiter", "cashier"])
def test_another_waiter_or_cashier_cannot_open_a_receipt_by_id(
    client, business, sale, url, role
):
    member(client, business, role)
    response = client.get(reverse(url, args=[sale.pk]))
    assert response.status_code in (403, 404)  # the API refuses waiters outright
    assert b"1708611684" not in response.content
    assert b"carlos@example.ec" not in response.content


@pytest.mark.parametrize("url", RECEIPT_URLS)
def test_the_seller_opens_their_own_receipt(client, cashier, sale, url):
    client.force_login(cashier)
    assert client.get(reverse(url, args=[sale.pk])).status_code == 200


@pytest.mark.parametrize("role", ["owner", "manager", "accountant"])
def test_owner_manager_and_accountant_open_any_receipt(client, business, sale, role):
    member(client, business, role)
    response = client.get(reverse("pos:sale-receipt-html", args=[sale.pk]))
    assert response.status_code == 200
    assert "1708611684" in response.content.decode()


def test_the_cashier_who_opened_the_session_sees_its_sales(
    client, business, point, product, customer
):
    opener = member(client, business, "cashier")
    seller = UserFactory()
    membership(business, seller, "waiter")
    with tenant_context(business):
        cash_session_open(
            business=business, point=point, user=opener, opening_float=Decimal("0")
        )
    with tenant_context(business):
        sold = sale_post(
            business=business,
            point=point,
            cashier=seller,
            lines=[LineIn(product_id=product.pk, quantity=Decimal(1))],
            payments=[PaymentIn("01", Decimal("100"))],
            customer=customer,
            key=uuid.uuid4(),
        ).sale
    assert (
        client.get(reverse("pos:sale-receipt-html", args=[sold.pk])).status_code == 200
    )


# -- X/Z reports ----------------------------------------------------------------------
def test_a_cashier_cannot_open_another_sessions_report(client, business, session):
    member(client, business, "cashier")
    assert client.get(reverse("pos:cash-report", args=[session.pk])).status_code == 404


def test_the_sessions_cashier_and_the_owner_open_its_report(
    client, business, point, owner
):
    opener = member(client, business, "cashier")
    with tenant_context(business):
        own = cash_session_open(
            business=business, point=point, user=opener, opening_float=Decimal("5")
        )
    assert client.get(reverse("pos:cash-report", args=[own.pk])).status_code == 200
    client.force_login(owner)
    assert client.get(reverse("pos:cash-report", args=[own.pk])).status_code == 200


# -- customer export ----------------------------------------------------------------
EXPORT = "admin:customers_customer_export"


def test_a_cashier_cannot_export_the_customer_list(client, business, customer):
    member(client, business, "cashier")
    response = client.post(reverse(EXPORT), {"format": "0", "resource": "0"})
    assert response.status_code == 403
    assert b"1708611684" not in response.content
    page = client.get(reverse("admin:customers_customer_changelist"))
    assert page.status_code == 200  # they still look customers up
    assert reverse(EXPORT) not in page.content.decode()


@pytest.mark.parametrize("role", ["owner", "manager", "accountant"])
def test_readers_export_the_customer_list(client, business, customer, role):
    member(client, business, role)
    response = client.post(reverse(EXPORT), {"format": "0", "resource": "0"})
    assert response.status_code == 200
    assert b"1708611684" in response.content
