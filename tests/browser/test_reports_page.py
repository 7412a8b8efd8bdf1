"""The reports in Chromium: unfold's layout works (Alpine.js runs), links are
clickable, and the page keeps its policy without violations."""

import pytest

from tests.browser.conftest import csp_violations, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", [(1024, 768), (390, 844)])
def test_owner_opens_a_report_by_clicking_it(page, live_server, business, owner, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/reports/")
    link = page.get_by_role("link", name="Ventas por día").first
    link.click(timeout=5000)  # an overlay taking the clicks would time out here
    page.wait_for_url("**/reports/dia/**")
    assert "Ventas por día" in page.title()
    assert csp_violations(page) == []
    shot(page, f"report-dia-{size[0]}x{size[1]}")
