"""Drive restaurant mode in chromium: table 5 from the order to two paid facturas.

Screenshots of the floor, order, kitchen display and split screens, on a phone
(390×844) and a tablet (1024×768), go to $SCREENSHOT_DIR (default
/tmp/restaurant-screens) to be looked at.
"""

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from backoffice.tenancy.context import tenant_context
from fiscal.models import ElectronicDocument
from pos.models import Sale
from pos.restaurant.models import KitchenTicket, Order, OrderItem
from pos.services import cash_session_open
from tests.factories import UserFactory, membership
from tests.pos.conftest import point_of
from tests.pos.restaurant.conftest import build_restaurant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(
    os.environ.get("SCREENSHOT_DIR")
    or Path(tempfile.gettempdir()) / "restaurant-screens"
)
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def browser(live_server):
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        yield browser
        browser.close()


def device(browser, live_server, user, viewport=TABLET):
    """A logged-in page in its own context (its own cookies: another device)."""
    context = browser.new_context(locale="es-EC", viewport=viewport)
    context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', (e) =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def shoot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("tablet", TABLET)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(SCREENS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(TABLET)


def add(page, product, options=(), note=""):
    page.click(f"#categories button:has-text('{product[0]}')")
    page.click(f"#products button[data-product='{product[1]}']")
    for option in options:
        page.check(f"#groups label:has-text('{option}') input")
    if note:
        page.fill("#f-note", note)
    count = page.locator("#items li[data-item]").count()
    page.click("#item-add")
    # (locators, not wait_for_function: the page's CSP forbids eval)
    page.locator("#items li[data-item]").nth(count).wait_for()


def test_table_5_from_order_to_two_facturas(browser, live_server, business):
    menu = build_restaurant(business)
    waiter, other_waiter, cashier = UserFactory(), UserFactory(), UserFactory()
    membership(business, waiter, "waiter")
    membership(business, other_waiter, "waiter")
    membership(business, cashier, "cashier")
    with tenant_context(business):
        cash_session_open(
            business=business,
            point=point_of(business),
            user=cashier,
            opening_float=Decimal("20"),
        )
    table5 = menu.tables[4]

    # The waiter lands on the floor and opens table 5.
    page = device(browser, live_server, waiter)
    response = page.goto(f"{live_server.url}/pos/")
    assert page.url.endswith("/pos/mesas/")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.click("a.table[data-table='5']")
    page.wait_for_selector("#products button")

    # Two dishes with modifiers and a drink; «Término» is required.
    page.click("#categories button:has-text('Platos')")
    page.click("#products button[data-product='Churrasco']")
    page.click("#item-add")
    page.wait_for_selector("#item-error:has-text('Término')")
    page.click("#item-dialog button[value='cancel']")
    add(page, ("Platos", "Churrasco"), ["Medio", "Huevo"], note="sin cebolla")
    add(page, ("Platos", "Seco de chivo"), ["Queso"])
    add(page, ("Bebidas", "Jugo de mora"))
    shoot(page, "order")
    page.click("#send")
    page.wait_for_selector("#message:has-text('Enviado a cocina')")
    with tenant_context(business):
        tickets = {t.station.name: t for t in KitchenTicket.objects.all()}
        assert sorted(tickets) == ["Bar", "Cocina"]
        assert tickets["Cocina"].lines.count() == 2
        assert tickets["Bar"].lines.get().name == "Jugo de mora"

    # A dessert later: the second send carries only the dessert.
    add(page, ("Platos", "Helado de paila"))
    page.click("#send")
    page.locator("#items .badge.new").first.wait_for(state="detached")
    with tenant_context(business):
        last = KitchenTicket.objects.order_by("pk").last()
        assert [ln.name for ln in last.lines.all()] == ["Helado de paila"]
        assert KitchenTicket.objects.count() == 3

    # The kitchen marks the first ticket ready; the waiter sees «listo».
    kitchen = device(browser, live_server, other_waiter)
    kitchen.goto(f"{live_server.url}/pos/mesas/cocina/{menu.kitchen.pk}/")
    kitchen.wait_for_selector("article.kt")
    shoot(kitchen, "kitchen")
    first = tickets["Cocina"].pk
    kitchen.click(f"article[data-ticket='{first}'] button.primary")
    kitchen.wait_for_selector(f"article[data-ticket='{first}'].ready")
    page.wait_for_selector("#items .badge.ready", timeout=10000)
    assert page.locator("#items .badge.ready").count() == 2  # the two dishes

    # A second device edits the same order at the same time: both lines stay.
    second = device(browser, live_server, other_waiter, PHONE)
    second.goto(f"{live_server.url}/pos/mesas/mesa/{table5.pk}/")
    second.wait_for_selector("#items li[data-item]")
    add(second, ("Bebidas", "Jugo de mora"), note="sin hielo")
    add(page, ("Bebidas", "Jugo de mora"), note="con hielo")
    with tenant_context(business):
        notes = set(OrderItem.objects.values_list("note", flat=True))
    assert {"sin hielo", "con hielo"} <= notes
    second.wait_for_selector("#items li:has-text('con hielo')", timeout=10000)
    page.wait_for_selector("#items li:has-text('sin hielo')", timeout=10000)
    page.click("#send")
    page.wait_for_selector("#message:has-text('Enviado a cocina')")

    page.goto(f"{live_server.url}/pos/mesas/")
    page.wait_for_selector("a.table[data-table='5'][data-status='busy']")
    page.wait_for_selector("a.table[data-table='5'] .badge.ready")
    shoot(page, "floor")

    # The cashier splits the bill in two by items, with service, and charges.
    till = device(browser, live_server, cashier)
    with tenant_context(business):
        order = Order.objects.get(table=table5, status="open")
        items = list(order.items.order_by("pk"))
    till.goto(f"{live_server.url}/pos/mesas/cuenta/{order.pk}/")
    till.wait_for_selector("#bill-items li")
    till.select_option("#mode", "items")
    for item in items[len(items) // 2 :]:
        till.select_option(f"select[data-item='{item.pk}']", "2")
    assert till.is_checked("#service")
    till.click("#split")
    till.wait_for_selector(".part[data-part='2']")
    shoot(till, "split")
    total_2 = till.inner_text(".part[data-part='2'] h3 span:last-child")
    till.fill(".part[data-part='1'] input[inputmode='decimal']", "100.00")
    till.click("button[data-pay='1']")
    till.wait_for_selector(".part.paid[data-part='1']")
    till.select_option(".part[data-part='2'] select", "19")
    till.click("button[data-pay='2']")
    till.wait_for_selector("#closed")
    with tenant_context(business):
        sales = list(Sale.objects.order_by("pk"))
        order.refresh_from_db()
        assert len(sales) == 2
        assert [p.method for s in sales for p in s.payments.all()] == ["01", "19"]
        assert all(s.service_charge > 0 for s in sales)
        assert f"$ {sales[1].total}" == total_2
        assert ElectronicDocument.objects.count() == 2
        assert order.status == "closed"
    page.wait_for_selector("a.table[data-table='5'][data-status='free']", timeout=10000)
    for p in (page, kitchen, second, till):
        assert _csp_reported(p) == []
        assert (
            p.errors == []
        )  # console errors, CSP refusals included, kept across pages


def _csp_reported(p) -> list:
    """The page's reported violations; a page that is navigating (the bill's page
    returns to the floor when the table frees) is read once it has loaded."""
    from playwright.sync_api import Error

    for _ in range(5):
        p.wait_for_load_state()
        try:
            return p.evaluate("window.__csp")
        except Error as error:
            if "Execution context was destroyed" not in str(error):
                raise
    raise AssertionError("the page never settled")


def test_demo_floor_on_phone_and_tablet(browser, live_server):
    from django.contrib.auth import get_user_model

    from fixtures.demo import RESTAURANT, load_business

    load_business(RESTAURANT)
    waiter = get_user_model().objects.get(username="mesero.restaurante")
    page = device(browser, live_server, waiter)
    page.goto(f"{live_server.url}/pos/mesas/")
    page.wait_for_selector("a.table[data-table='12']")
    assert page.locator("a.table").count() == 12
    assert page.locator("a.table[data-status='busy']").count() == 1
    assert page.locator(".area h2").all_inner_texts() == ["Salón", "Terraza"]
    shoot(page, "demo-floor")
    page.click("a.table[data-table='3']")
    page.wait_for_selector("#items li[data-item]")
    assert page.locator("#items .badge.sent").count() == 3
    shoot(page, "demo-order")
    assert page.evaluate("window.__csp") == []
    assert page.errors == []
