"""Menus offer only what the role can open; refusals are friendly Spanish pages."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from admin_theme import navigation
from admin_theme.refusals import permission_denied
from tests.factories import UserFactory, membership

REFUSAL = "Esta página no está disponible para usted"
BACK_OFFICE_ROLES = ["owner", "manager", "cashier", "accountant"]
URL_ITEMS = {  # role: (Abrir POS, Reportes)
    "owner": (True, True),
    "manager": (True, True),
    "cashier": (True, False),
    "accountant": (False, True),
}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in English leaves English active in the thread: restore it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def member(business, role):
    user = UserFactory()
    membership(business, user, role)
    return user


def _links(user, business, role):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.business = business
    request.membership = type("M", (), {"role": role, "business": business})()
    with translation.override("es-ec"):
        return {
            str(item["title"]): item["link"]
            for group in navigation.sidebar(request)
            for item in group["items"]
        }


def _all_links(business):
    return _links(member(business, "owner"), business, "owner")


@pytest.mark.parametrize("role", BACK_OFFICE_ROLES)
def test_pos_and_reports_entries_follow_the_role(business, role, client):
    links = _links(member(business, role), business, role)
    assert ("Abrir POS" in links, "Reportes" in links) == URL_ITEMS[role]


@pytest.mark.parametrize("role", BACK_OFFICE_ROLES)
def test_every_menu_entry_opens_for_the_role(business, role, client):
    user = member(business, role)
    client.force_login(user)
    links = _links(user, business, role)
    assert links
    for title, link in links.items():
        response = client.get(link)
        assert response.status_code == 200, (role, title, link)
        assert "Su rol no permite vender" not in response.content.decode(), title


@pytest.mark.parametrize("role", ["manager", "cashier", "accountant"])
def test_pages_left_out_of_the_menu_refuse_kindly(business, role, client):
    user = member(business, role)
    client.force_login(user)
    offered = set(_links(user, business, role).values())
    refused = [link for link in _all_links(business).values() if link not in offered]
    refused = [link for link in refused if link != "/pos/"]  # opens, cannot sell
    if role != "manager":
        assert refused, role
    for link in refused:
        response = client.get(link)
        html = response.content.decode()
        assert response.status_code == 403, (role, link)
        assert REFUSAL in html, link
        assert 'href="/admin/"' in html  # back to what they can use
        assert ('href="/pos/"' in html) == (role != "accountant")  # cannot sell
        assert "403 Forbidden" not in html


def test_cashier_asking_for_reports_gets_the_friendly_page(business, client):
    client.force_login(member(business, "cashier"))
    response = client.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 403
    assert REFUSAL in html
    assert "Cajero" in html and "Volver al panel" in html
    assert 'id="nav-sidebar"' in html or "Ventas" in html  # the admin look


def test_accountant_menu_has_no_pos_and_the_header_no_site_link(business, client):
    client.force_login(member(business, "accountant"))
    html = client.get("/admin/").content.decode()
    assert "Abrir POS" not in html
    assert 'href="/pos/"' not in html


def test_waiter_sent_to_the_back_office_is_told_where_to_go(business, client):
    waiter = member(business, "waiter")
    client.force_login(waiter)
    for url in ("/admin/", "/admin/catalog/product/", "/reports/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 403, url
        assert REFUSAL in html
        assert "Mesero" in html and 'href="/pos/"' in html
        assert 'name="username"' not in html  # not the login form
    pos = client.get("/pos/", follow=True).content.decode()  # the floor (issue 12)
    assert 'href="/admin/"' not in pos  # the POS page no longer sends them there
    assert 'action="/admin/logout/"' in pos  # nor leaves them stuck
    # They can still sign out from the refusal page.
    assert client.post("/admin/logout/").status_code == 200
    assert "_auth_user_id" not in client.session


def test_refusal_speaks_english_in_english(business, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(member(business, "cashier"))
    html = client.get("/reports/").content.decode()
    assert "This page is not available to you" in html
    assert REFUSAL not in html


def test_api_paths_keep_json_refusals(db):
    request = RequestFactory().get("/pos/api/sales")
    response = permission_denied(request)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"] == "forbidden"
