"""Screenshots of every main screen of the counter at 1024x768 and 390x844
(tests/artifacts/pos/, gitignored), and the page's weight budget."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from backoffice.catalog.models import Category
from backoffice.customers.models import Customer, IdType
from backoffice.tenancy.context import tenant_context
from pos.views import PAGE_MODULES
from tests.browser.conftest import csp_violations, new_page, shot
from tests.browser.test_pos_page import open_page, open_till, tap
from tests.pos.conftest import make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def catalog(business):
    with tenant_context(business):
        drinks = Category.objects.create(business=business, name="Bebidas")
        food = Category.objects.create(
            business=business, name="Platos", color="#b45309"
        )
        Customer.objects.create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos Villacís",
        )
    # The last name takes two lines on a tile.
    names = ["Café pasado", "Jugo de mora", "Agua sin gas", "Cola 500 ml"]
    names.append("Té frío de durazno 500 ml")
    for i, name in enumerate(names):
        make_product(business, name=name, price=f"{i + 1}.50", category=drinks)
    for i, name in enumerate(["Seco de pollo", "Encebollado", "Bolón mixto"]):
        make_product(business, name=name, price=f"{i + 4}.25", category=food)


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)])
def test_screens(browser, live_server, business, size):
    catalog(business)
    page = new_page(browser, *size)
    open_page(page, live_server, business)
    shot(page, "start")
    # A name is shown whole, up to two lines (they were cut mid-line).
    cut = page.evaluate(
        "[...document.querySelectorAll('#grid .tile .name')].filter((n) =>"
        " n.clientHeight + 1 < Math.min(n.scrollHeight,"
        " 2 * parseFloat(getComputedStyle(n).lineHeight))).map((n) => n.textContent)"
    )
    assert cut == []
    open_till(page)
    tap(page, "Café pasado")
    tap(page, "Café pasado")
    tap(page, "Encebollado")
    page.wait_for_selector("#grand-total >> text=9.49")
    shot(page, "cart")
    page.click("#tabs .tab:has-text('Platos')")
    page.wait_for_selector("#grid .tile:has-text('Bolón mixto')")
    page.locator("#grid .tile").nth(3).wait_for(state="detached")
    assert page.locator("#grid .tile").count() == 3
    shot(page, "category")
    page.click("#lines .line")
    shot(page, "line-editor")
    page.keyboard.press("Escape")
    page.keyboard.press("F7")
    page.fill("#customer-q", "1708")
    page.wait_for_selector("#customer-results >> text=Carlos Villacís")
    shot(page, "customer")
    page.click("#customer-dialog button:has-text('Cancelar')")
    page.click("#pay-btn")
    page.click("#pay-dialog [data-tender='20']")
    shot(page, "payment")
    page.click("#pay-confirm")
    page.wait_for_selector(".toast >> text=001-001-000000001")
    page.click("#till-btn")
    shot(page, "till-menu")
    page.click("dialog button:has-text('Reporte X')")
    page.wait_for_selector("#x-report >> text=Ventas")
    x_report = page.inner_text("#x-report")
    assert "Esperado" not in x_report  # the cashier closes blind
    assert "1 · 9.49" in x_report
    shot(page, "x-report")
    page.keyboard.press("Escape")
    page.click("#till-btn")
    page.click("dialog button:has-text('Ingreso de efectivo')")
    page.fill("#move-amount", "5.00")
    page.fill("#move-reason", "Cambio")
    shot(page, "cash-in")
    page.click("dialog button[type='submit']")
    page.wait_for_selector(".toast >> text=Movimiento registrado.")
    page.click("#till-btn")
    page.click("dialog button:has-text('Cerrar caja')")
    shot(page, "close-blind")
    page.fill("#count-01", "34.49")
    page.click("#close-submit")
    page.wait_for_selector("#close-result >> text=Diferencia: 0.00")
    shot(page, "close-result")
    # Every touch target of the main screen is at least 48 px high.
    page.keyboard.press("Escape")
    small = page.evaluate(
        "[...document.querySelectorAll('main button, header button, main input')]"
        ".filter((b) => b.offsetParent && b.getBoundingClientRect().height < 48)"
        ".map((b) => b.id || b.className || b.textContent)"
    )
    assert small == []
    assert csp_violations(page) == []


def test_page_weight_under_150_kb(client, owner):
    """HTML + JS + CSS of the counter stay under the issue's 150 KB budget."""
    html = client.get("/pos/").content
    assets = ["pos/pos.css", *PAGE_MODULES]
    assert {Path(m).name for m in PAGE_MODULES} == {
        p.name for p in Path(finders.find("pos/js/main.js")).parent.glob("*.js")
    }
    total = len(html) + sum(Path(finders.find(a)).stat().st_size for a in assets)
    assert total < 150 * 1024, total
