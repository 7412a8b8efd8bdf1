"""The accountant closes October in chromium: blockers, resend, close, download."""

import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from backoffice.tenancy.context import tenant_context
from fiscal.models import DocState, ElectronicDocument, SriMessage
from tests.factories import UserFactory, membership
from tests.reports.closing_helpers import Shop, clean_month, customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "close"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def october(business):
    """A month with one returned factura, and the accountant who checks it."""
    shop = Shop(business)
    sales = clean_month(shop, customer_of(business))
    edoc = shop.document_of(sales[1])
    with tenant_context(business):
        ElectronicDocument.objects.filter(pk=edoc.pk).update(state=DocState.RETURNED)
        SriMessage.objects.create(
            business=business,
            document=edoc,
            origin="recepcion",
            identificador="35",
            mensaje="ARCHIVO NO CUMPLE ESTRUCTURA XML",
        )
    accountant = UserFactory(
        username="contadora", first_name="Rosa", last_name="Cevallos"
    )
    membership(business, accountant, "accountant")
    return shop, edoc


def _log_in(page, base_url):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", "contadora")
    page.fill("input[name=password]", "pass12345!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def _shoot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_accountant_closes_the_month_and_downloads_it(
    browser, live_server, october
):
    shop, edoc = october
    context = browser.new_context(
        viewport={"width": 1024, "height": 768}, accept_downloads=True, locale="es-EC"
    )
    page = context.new_page()
    errors = []
    page.on("response", lambda r: r.status >= 400 and errors.append(r.url))
    _log_in(page, live_server.url)
    # unfold hides the sidebar below 1280 px: open it, then the menu entry.
    page.locator("#header-inner .material-symbols-outlined:visible").first.click()
    page.click("#nav-sidebar >> text=Cierre del mes")
    page.select_option("select[name=month]", "2026-10")
    page.click("button:has-text('Revisar')")
    page.wait_for_selector("#blockers")
    assert "1 comprobante devuelto" in page.inner_text("#blockers")
    assert "ARCHIVO NO CUMPLE ESTRUCTURA XML" in page.inner_text("#to-do")
    assert page.locator("#close").count() == 0
    _shoot(page, "close-blocked-1024")

    page.click(f"#rejected-{edoc.pk} button:has-text('Reenviar')")
    page.wait_for_selector(f"#pending-{edoc.pk}")  # sent again: now pending

    shop.authorise()  # the SRI answers
    page.reload()
    page.wait_for_selector("#status.is-ready")
    assert "Listo para declarar" in page.inner_text("#status")
    page.click("#close")
    page.wait_for_selector("#closed-by")
    assert "Cerrado por Rosa Cevallos" in page.inner_text("#closed-by")
    _shoot(page, "close-ready-1024")

    with page.expect_download() as info:
        page.click("#bundle-link")
    download = info.value
    assert download.suggested_filename == f"cierre-{shop.business.ruc}-2026-10.zip"
    with open(download.path(), "rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert f"xml/{edoc.access_key}.xml" in names
    assert f"ride/{edoc.access_key}.pdf" in names
    assert "ATS-2026-10.xml" in names
    assert errors == []


def test_the_month_on_a_phone(browser, live_server, october):
    page = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="es-EC", is_mobile=True
    ).new_page()
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/cierre/?month=2026-10")
    page.wait_for_selector("#blockers")
    page.wait_for_load_state("networkidle")
    # Nothing of unfold's shell lies over the page (its modal needs Alpine.js).
    on_top = page.evaluate(
        "document.elementFromPoint(200, 300).closest('#blockers, #status')"
    )
    assert on_top is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # the wide tables scroll inside their boxes
    _shoot(page, "close-blocked-390")
