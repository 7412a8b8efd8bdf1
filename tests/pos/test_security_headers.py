"""Security headers per page (issue 10, Headers and secrets): CSP, Permissions-Policy,
no-store on everything that carries a business's data."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client

from backoffice.headers import SecurityHeadersMiddleware
from tests.factories import UserFactory, membership
from tests.test_settings import ROOT

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def script_src(response, frame_ancestors="'none'") -> str:
    policy = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == frame_ancestors
    return policy["script-src"]


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


def assert_strict(response, frame_ancestors="'none'"):
    """Our own pages: scripts only from our static files, none inline."""
    assert script_src(response, frame_ancestors) == "'self'"
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)


@pytest.fixture
def till(client, business, cashier):
    client.force_login(cashier)
    return client


def test_pos_page_allows_no_inline_script(till):
    page = till.get("/pos/")
    assert page.status_code == 200
    assert_strict(page)
    assert_private(page)
    html = page.content.decode()
    assert '<script type="module" src="/static/pos/js/main.js">' in html
    # Its strings, as JSON for the modules (json_script, not executable).
    assert '"openTill": "Abrir caja"' in html
    assert '<script id="pos-strings" type="application/json">' in html


def test_api_answers_are_not_stored(till, point, product):
    for url in (
        "/pos/api/products?q=caf",
        f"/pos/api/cash-sessions?emission_point={point.pk}",
        "/pos/api/customers?q=1708611684",
    ):
        response = till.get(url)
        assert response.status_code in (200, 404), url
        assert response["Content-Type"].startswith("application/json")
        assert_private(response)
        assert script_src(response) == "'self'"


def test_receipts_allow_no_inline_script_and_are_not_stored(till, post, product):
    sale = post([(product, 2)])
    html = till.get(f"/pos/sales/{sale.pk}/receipt")
    assert html.status_code == 200
    # The POS prints it in a hidden frame of its own page: framed by us only.
    assert_strict(html, frame_ancestors="'self'")
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    assert_private(html)
    assert '<button id="print" type="button">' in html.content.decode()
    pdf = till.get(f"/pos/sales/{sale.pk}/receipt.pdf")
    assert pdf.status_code == 200
    assert_private(pdf)


def test_reports_get_unfolds_policy_and_are_not_stored(client, business, owner):
    """The reports render unfold's layout (Alpine.js): under the strict policy
    Alpine never starts and unfold's overlays take every click."""
    client.force_login(owner)
    for url in ("/reports/", "/reports/dia/"):
        page = client.get(url)
        assert page.status_code == 200
        assert script_src(page) == "'self' 'unsafe-inline' 'unsafe-eval'"
        assert_private(page)


def test_admin_gets_unfolds_policy_and_is_not_stored(client, business, owner):
    """unfold's pages carry inline scripts and Alpine.js: a policy of their own."""
    client.force_login(owner)
    for url in ("/admin/", "/admin/pos/sale/"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert script_src(page) == "'self' 'unsafe-inline' 'unsafe-eval'"
        assert_private(page)
    login = Client().get("/admin/login/")
    assert script_src(login) == "'self' 'unsafe-inline' 'unsafe-eval'"
    # unfold's layout outside /admin/: the password change page too.
    page = client.get("/account/password/")
    assert page.status_code == 200
    assert script_src(page) == "'self' 'unsafe-inline' 'unsafe-eval'"


def test_public_pages_are_strict(db):
    for url in ("/signup/",):
        page = Client().get(url)
        assert page.status_code == 200
        assert_strict(page)
        assert_private(page)


def test_static_files_and_uploads_keep_their_own_caching(rf):
    def cached(request):
        response = HttpResponse()
        response["Cache-Control"] = "max-age=315360000, public, immutable"
        return response

    middleware = SecurityHeadersMiddleware(cached)
    for path in ("/static/pos/page.js", "/media/logos/marca.png"):
        assert "no-store" not in middleware(rf.get(path))["Cache-Control"]
    assert middleware(rf.get("/pos/api/products"))["Cache-Control"] == "no-store"


def test_a_bucket_for_uploads_is_an_allowed_image_source(settings, rf):
    settings.MEDIA_S3 = {"bucket_name": "b", "endpoint_url": "http://minio:9000"}
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse())
    policy = middleware(rf.get("/pos/"))["Content-Security-Policy"]
    assert "img-src 'self' data: https: http://minio:9000;" in policy


def test_our_templates_have_no_inline_script():
    """Every template of ours outside the admin: scripts are static files."""
    templates = [
        path
        for app in ("pos", "fiscal", "backoffice", "admin_theme")
        for path in (ROOT / app).rglob("templates/**/*.html")
        if "admin_theme/templates/admin" not in path.as_posix()
    ]
    assert any(p.name == "page.html" for p in templates)
    for path in templates:
        text = Path(path).read_text()
        assert not INLINE_SCRIPT.search(text), path
        assert not INLINE_HANDLER.search(text), path


def test_another_role_sees_the_same_headers(business):
    waiter = UserFactory()
    membership(business, waiter, "waiter")
    client = Client()
    client.force_login(waiter)
    page = client.get("/pos/", follow=True)  # a waiter goes on to the floor
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == "/pos/mesas/"
    assert_strict(page)
    assert_private(page)


def test_customer_lookup_takes_the_cedula_in_the_body(till, customer):
    found = till.post(
        "/pos/api/customers", {"q": "1708611684"}, content_type="application/json"
    )
    assert found.status_code == 200
    assert [c["name"] for c in found.json()["results"]] == ["Carlos Villacís"]
    assert_private(found)
    not_an_object = till.post("/pos/api/customers", "[1]", content_type="text/plain")
    assert not_an_object.status_code == 400
    # and the POS page uses it
    script = (ROOT / "pos" / "static" / "pos" / "js" / "main.js").read_text()
    assert 'api("/pos/api/customers", {q})' in script  # a POST
    assert "/pos/api/customers?q=" not in script
