"""Drive the POS page in chromium: open the till, sell, print, close blind."""

from decimal import Decimal

import pytest

from backoffice.customers.models import Customer, IdType
from backoffice.tenancy.context import tenant_context
from pos.models import CashSession, Sale
from tests.browser.conftest import csp_violations, log_in, wait_printed
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(page, live_server, business, role="cashier"):
    user = UserFactory()
    membership(business, user, role)
    log_in(page, live_server, user)
    response = page.goto(f"{live_server.url}/pos/")
    page.wait_for_selector("body[data-ready='1']")
    return user, response


def open_till(page, amount="20.00"):
    page.click("#till-btn")
    page.fill("#till-float", amount)
    page.click("#till-open-submit")
    page.wait_for_selector("#till-btn.open")


def tap(page, name):
    page.click(f"#grid .tile:has-text('{name}')")


def test_cashier_opens_the_till_and_sells(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    user, response = open_page(page, live_server, business)
    assert "script-src 'self';" in response.headers["content-security-policy"]
    open_till(page)
    tap(page, "Café pasado")
    tap(page, "Café pasado")
    page.wait_for_selector("#grand-total >> text=4.60")
    assert "IVA 15 %" in page.inner_text("#totals")
    page.keyboard.press("F12")
    page.click("#pay-dialog [data-tender='5']")
    assert page.inner_text("#pay-change").endswith("0.40")
    page.click("#pay-confirm")
    page.wait_for_selector(".toast >> text=001-001-000000001")
    wait_printed(page, 1)  # in the hidden frame, no tab
    assert len(page.context.pages) == 1
    page.wait_for_selector("#grand-total >> text=0.00")  # a fresh cart
    # Blind count: nothing prefilled, the expected appears only after.
    page.click("#till-btn")
    page.click("dialog button:has-text('Cerrar caja')")
    assert page.input_value("#count-01") == ""
    assert "24.60" not in page.inner_text("#close-dialog")
    page.fill("#count-01", "24.50")
    page.click("#close-submit")
    page.wait_for_selector("#close-result >> text=Diferencia: -0.10")
    assert "24.60" in page.inner_text("#close-result")
    assert csp_violations(page) == []
    with tenant_context(business):
        sale = Sale.objects.get()
        session = CashSession.objects.get()
    assert (sale.total, sale.change, sale.cashier_id) == (
        Decimal("4.60"),
        Decimal("0.40"),
        user.pk,
    )
    assert session.difference == Decimal("-0.10")


def test_customer_by_cedula_and_reprint(page, live_server, business):
    """A customer found by cédula (POST: not in a URL); reprint of the last sale."""
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    with tenant_context(business):
        Customer.objects.create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos Villacís",
        )
    open_page(page, live_server, business)
    open_till(page, "0.00")
    tap(page, "Café pasado")
    page.wait_for_selector("#grand-total >> text=2.30")
    page.keyboard.press("F7")
    with page.expect_request("**/pos/api/customers") as lookup:
        page.fill("#customer-q", "1708611684")
    assert lookup.value.method == "POST"
    page.click("#customer-results .pick-customer")
    page.wait_for_selector("#customer-name >> text=Carlos Villacís")
    page.click("#pay-btn")
    page.click("#pay-exact")
    page.click("#pay-confirm")
    wait_printed(page, 1)
    page.click("#reprint-btn")
    wait_printed(page, 2)
    assert csp_violations(page) == []
    with tenant_context(business):
        assert Sale.objects.get().customer_name == "Carlos Villacís"


def test_admin_works_under_its_policy(page, live_server, business):
    """unfold's inline scripts and Alpine.js run under the admin's policy."""
    owner = UserFactory()
    membership(business, owner, "owner")
    log_in(page, live_server, owner)
    for path in ("/admin/", "/admin/catalog/product/", "/admin/catalog/product/add/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "'unsafe-eval'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert csp_violations(page) == [], path
    # Alpine.js ran: it removes x-cloak from the elements it has set up.
    assert page.evaluate("!!window.Alpine")
