"""The icon: named by the admin's pages and the counter's, and /favicon.ico
(asked for by pages that name none) answers with it instead of a 404."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db
ICON = "admin_theme/favicon.svg"


def test_the_icon_is_ours_and_an_svg():
    path = finders.find(ICON)
    assert path is not None
    with open(path, encoding="utf-8") as f:
        assert f.read().startswith("<svg")


def test_favicon_ico_points_at_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static(ICON)


@pytest.mark.parametrize("url", ["/admin/", "/pos/", "/admin/login/"])
def test_pages_name_the_icon(owner_client, client, url):
    who = client if url == "/admin/login/" else owner_client
    if url == "/admin/login/":
        who.logout()
    html = who.get(url).content.decode()
    links = [tag for tag in re.findall(r"<link [^>]*>", html) if 'rel="icon"' in tag]
    assert len(links) == 1, links
    assert f'href="{static(ICON)}"' in links[0]
    assert 'type="image/svg+xml"' in links[0]
