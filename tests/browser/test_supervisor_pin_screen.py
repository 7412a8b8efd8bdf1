"""The supervisor PIN screen in chromium, phone and tablet sizes (issue 11)."""

from pathlib import Path

import pytest

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Membership
from tests.browser.conftest import csp_violations, log_in
from tests.factories import UserFactory, membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (390, 844)])
def test_manager_sets_a_pin_from_the_dashboard(
    page,
    live_server,
    business,
    width,
    height,
):
    manager = UserFactory(username=f"gerente{width}", is_staff=False)
    membership(business, manager, "manager")
    log_in(page, live_server, manager)
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/admin/")
    notice = page.locator("[data-pin-missing]")
    assert notice.is_visible()
    page.screenshot(path=ARTIFACTS / f"pin-notice-{width}x{height}.png")
    notice.get_by_text("Configurar mi PIN").click()
    page.wait_for_selector("text=Aún no tiene PIN")
    page.screenshot(path=ARTIFACTS / f"pin-form-{width}x{height}.png", full_page=True)
    page.fill("input[name=pin]", "482913")
    page.fill("input[name=pin_again]", "482914")
    page.get_by_role("button", name="Guardar PIN").click()
    page.wait_for_selector("text=Los dos PIN no coinciden.")
    page.screenshot(path=ARTIFACTS / f"pin-error-{width}x{height}.png", full_page=True)
    page.fill("input[name=pin]", "482913")
    page.fill("input[name=pin_again]", "482913")
    page.get_by_role("button", name="Guardar PIN").click()
    page.wait_for_selector("text=PIN de supervisor guardado.")
    page.screenshot(path=ARTIFACTS / f"pin-saved-{width}x{height}.png", full_page=True)
    assert page.locator("text=Ya tiene un PIN").is_visible()
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("[data-pin-missing]").count() == 0
    assert csp_violations(page) == []
    with tenant_context(business):
        assert Membership.objects.get(business=business, user=manager).pin
