"""The back office in chromium, in Spanish: phone-width owner, desktop accountant.

Reads the rendered text (what the person sees, after JavaScript) for English
leftovers. SCREENSHOT_DIR=/some/dir keeps the screenshots for a human look.
"""

import os
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory, membership
from tests.i18n.test_pages import ENGLISH
from tests.i18n.visible import found

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server):
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
        yield browser
        browser.close()


def _page(browser, live_server, user, width, height):
    client = Client()
    client.force_login(user)
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="es-EC"
    )
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _shot(page, name, tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    "role,width,height",
    [("owner", 390, 844), ("accountant", 1366, 900)],
    ids=["owner-phone", "accountant-desktop"],
)
def test_admin_index_is_spanish(
    browser, live_server, business, tmp_path, role, width, height
):
    user = UserFactory(username=f"{role}.demo")
    membership(business, user, role)
    page = _page(browser, live_server, user, width, height)
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("text=Panel")
    _shot(page, f"index-{role}-{width}", tmp_path)
    text = page.inner_text("body")
    assert found(ENGLISH, text) == []
    # The sidebar (open it on a phone) is Spanish too, and shows only what opens.
    if width < 1280:  # unfold hides the sidebar below its xl breakpoint
        page.locator("#header-inner .material-symbols-outlined:visible").first.click()
    page.wait_for_selector("#nav-sidebar", state="visible")
    sidebar = page.inner_text("#nav-sidebar")
    assert found(ENGLISH, sidebar) == []
    assert "Ventas" in sidebar or "Reportes" in sidebar
    assert ("Abrir POS" in sidebar) == (role == "owner")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    _shot(page, f"index-{role}-{width}-menu", tmp_path)
