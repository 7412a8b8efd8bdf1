"""Drive the POS page in chromium: open the till, sell, get the receipt."""

import os

import pytest
from django.test import Client

from backoffice.customers.models import Customer, IdType
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
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
            ],
        )
        # A till in Ecuador: Spanish (chromium would ask for English otherwise).
        context = browser.new_context(locale="es-EC")
        # Every Content-Security-Policy violation, as the page reports it and
        # as chromium logs it (issue 10: the page must work under its policy).
        context.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation', (e) =>"
            " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda m: m.type == "error" and page.console_errors.append(m.text),
        )
        yield page
        browser.close()


def csp_violations(page) -> list[str]:
    reported = page.evaluate("window.__csp")
    logged = [m for m in page.console_errors if "Content Security Policy" in m]
    return reported + logged


def log_in(page, live_server, user):
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


def test_cashier_opens_the_till_and_sells(page, live_server, business):
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    user = UserFactory(username="caja1")
    membership(business, user, "cashier")
    log_in(page, live_server, user)
    response = page.goto(f"{live_server.url}/pos/")
    assert "script-src 'self';" in response.headers["content-security-policy"]
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
    assert csp_violations(page) == []
    with tenant_context(business):
        sale = Sale.objects.get()
    assert (sale.total, sale.change, sale.cashier_id) == (
        sale.total.__class__("4.60"),
        sale.change.__class__("0.40"),
        user.pk,
    )


def test_receipt_prints_under_its_policy(page, live_server, business):
    """A customer found by cédula; the receipt's print button (a static script)."""
    make_product(business, code="CAFE", name="Café pasado", price="2.00")
    with tenant_context(business):
        Customer.objects.create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos Villacís",
        )
    user = UserFactory()
    membership(business, user, "cashier")
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/pos/")
    page.once("dialog", lambda dialog: dialog.accept("0.00"))
    page.click("text=Abrir caja")
    page.wait_for_selector("text=Caja abierta")
    page.click("#products button:has-text('Café pasado')")
    page.wait_for_selector("#totals >> text=2.30")
    with page.expect_request("**/pos/api/customers") as lookup:
        page.fill("#customer", "1708611684")
        page.dispatch_event("#customer", "change")
    assert lookup.value.method == "POST"  # the cédula stays out of the URL
    page.wait_for_selector("#customer-name >> text=Carlos Villacís")
    with page.expect_popup() as popup:
        page.click("#pay")
    receipt = popup.value
    receipt.wait_for_load_state()
    receipt.evaluate("window.print = () => { window.printed = true; }")
    receipt.click("#print")
    assert receipt.evaluate("window.printed") is True
    assert receipt.evaluate("window.__csp") == []
    assert csp_violations(page) == []


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
