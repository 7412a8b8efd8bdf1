"""The accountant downloads the month's SRI export from the dialog, in chromium."""

import io
import os
import zipfile

import pytest
from django.core.management import call_command

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business
from fiscal.models import ElectronicDocument
from fixtures.demo import SHOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xsd,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
]


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
def shop_month(settings):
    """The demo loaded; the shop's newest document and its month (AAAA-MM)."""
    from cryptography.fernet import Fernet

    settings.FISCAL_CERT_KEY = Fernet.generate_key().decode()
    settings.SRI_SEND_ENABLED = False
    call_command("load_demo", sales=4, stdout=io.StringIO())
    shop = Business.objects.get(ruc=SHOP["ruc"])
    with tenant_context(shop):
        newest = ElectronicDocument.objects.order_by("-issue_date", "-pk").first()
    return newest, f"{newest.issue_date:%Y-%m}"


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def test_accountant_downloads_the_month_zip(browser, live_server, shop_month):
    newest, month = shop_month
    page = browser.new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="es-EC"
    ).new_page()
    log_in(page, live_server.url, "contador.tienda")
    page.goto(f"{live_server.url}/admin/fiscal/electronicdocument/")
    page.click("text=Exportar mes (XML, ATS, Excel)")
    page.wait_for_selector("#dialog input[name=month]")
    page.fill("#dialog input[name=month]", month)
    with page.expect_download() as info:
        page.click("#dialog button[type=submit]")
    download = info.value

    assert download.suggested_filename == f"SRI-{SHOP['ruc']}-{month}.zip"
    with open(download.path(), "rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert f"{newest.access_key}.xml" in names
    assert f"ATS-{month}.xml" in names
    assert f"comprobantes-{month}.xlsx" in names
    # the dialog closes, the list stays
    page.wait_for_selector("#dialog", state="hidden")
    assert page.url.endswith("/admin/fiscal/electronicdocument/")


def test_a_bad_month_stays_in_the_dialog_with_an_error(
    browser, live_server, shop_month
):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="es-EC")
    log_in(page, live_server.url, "contador.tienda")
    page.goto(f"{live_server.url}/admin/fiscal/electronicdocument/")
    page.click("text=Exportar mes (XML, ATS, Excel)")
    page.fill("#dialog input[name=month]", "2026-13")
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("#dialog-form >> text=Use el formato AAAA-MM")
    assert page.is_visible("#dialog input[name=month]")
    assert page.input_value("#dialog input[name=month]") == "2026-13"


def test_the_document_page_fits_the_owners_phone(browser, live_server, shop_month):
    """The 49-digit clave de acceso wraps instead of widening the page."""
    newest, _month = shop_month
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="es-EC")
    log_in(page, live_server.url, "tienda")
    page.goto(f"{live_server.url}/admin/fiscal/electronicdocument/{newest.pk}/change/")
    page.wait_for_selector(f"text={newest.access_key[:20]}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
