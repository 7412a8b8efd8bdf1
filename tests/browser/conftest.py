"""Chromium through Playwright for the browser tests (marker `browser`)."""

import os
import time
from pathlib import Path

import pytest
from django.test import Client

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "pos"

# Every Content-Security-Policy violation, as the page reports it; receipts are
# printed in a hidden frame: count the print() calls there instead of printing.
INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.print = () => { window.top.__printed = (window.top.__printed || 0) + 1; };
"""


@pytest.fixture
def browser():
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


def new_page(browser, width=1024, height=768):
    # A till in Ecuador: Spanish (chromium would ask for English otherwise).
    context = browser.new_context(
        locale="es-EC", viewport={"width": width, "height": height}
    )
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_errors = []
    page.on(
        "console",
        lambda m: m.type == "error" and page.console_errors.append(m.text),
    )
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


@pytest.fixture
def page(browser):
    return new_page(browser)


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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png")


def wait_printed(page, count: int, timeout: float = 10.0) -> None:
    """Wait until the hidden frame has printed `count` receipts (polling: the
    page's policy refuses wait_for_function's string evaluation)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (page.evaluate("window.__printed || 0")) >= count:
            assert page.evaluate("window.__printed") == count
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"printed {page.evaluate('window.__printed')}, not {count}")
