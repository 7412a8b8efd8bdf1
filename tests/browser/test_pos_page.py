"""Drive the POS page in chromium: open the till, sell, get the receipt."""

import os

import pytest
from django.test import Client

from backoffice.tenancy.context import tenant_context
from pos.models import Sale
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--no-sandbox"],
        )
        yield browser.new_page()
        browser.close()


def test_cashier_opens_the_till_and_sells(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    user = UserFactory(username="caja1")
    membership(business, user, "cashier")
    client = Client()
    client.force_login(user)  # cashiers are not staff: no admin login form for them
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/pos/")
    page.once("dialog", lambda dialog: dialog.accept("20.00"))
    page.click("text=Abrir caja")
    page.wait_for_selector("text=Caja abierta")
    page.click("#products button:has-text('Café pasado')")
    page.click("#products button:has-text('Café pasado')")
    page.wait_for_selector("#totals >> text=4.60")
    page.fill("#amount", "5.00")
    page.click("#pay")
    page.wait_for_selector("#result >> text=001-001-000000001")
    assert "0.40" in page.inner_text("#result")
    page.once("dialog", lambda dialog: dialog.accept("24.60"))
    page.click("text=Cerrar caja")
    page.wait_for_selector("text=Diferencia: 0.00")
    page.wait_for_selector("text=Abrir caja")
    with tenant_context(business):
        sale = Sale.objects.get()
    assert (sale.total, sale.change, sale.cashier_id) == (
        sale.total.__class__("4.60"),
        sale.change.__class__("0.40"),
        user.pk,
    )
