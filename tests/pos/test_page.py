"""The POS page renders for sellers and sets the CSRF cookie the API needs."""

import json
import re

import pytest

from backoffice.catalog.models import Category
from backoffice.tenancy.context import tenant_context
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db


def test_page_for_cashier_lists_points_and_sets_csrf(client, cashier, point):
    client.force_login(cashier)
    response = client.get("/pos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{point.pk}">' in html and 'id="pay-btn"' in html
    assert "csrftoken" in response.cookies


def test_page_for_accountant_does_not_offer_checkout(client, business):
    accountant = UserFactory()
    membership(business, accountant, "accountant")
    client.force_login(accountant)
    html = client.get("/pos/").content.decode()
    assert 'id="pay-btn"' not in html


def make_category(business, name, **kw):
    with tenant_context(business):
        return Category.objects.create(business=business, name=name, **kw)


def test_page_renders_the_categories_with_products_of_its_business_only(
    client, business, other_business, cashier, django_assert_max_num_queries
):
    drinks = make_category(business, "Bebidas")
    make_category(business, "Vacía")  # no product: no tab
    hidden = make_category(business, "Oculta", is_active=False)
    theirs = make_category(other_business, "De otro negocio")
    for category in (drinks, hidden):
        make_product(business, category=category)
    make_product(business, category=drinks)
    make_product(other_business, category=theirs)
    client.force_login(cashier)
    client.get("/pos/")  # warm the session
    with django_assert_max_num_queries(8):
        html = client.get("/pos/").content.decode()
    assert f'data-category="{drinks.pk}"' in html
    assert html.count('class="tab"') == 1  # "Todos" is the active one
    for name in ("Vacía", "Oculta", "De otro negocio"):
        assert name not in html


def test_page_config_and_strings_for_the_modules(client, business, cashier):
    client.force_login(cashier)
    html = client.get("/pos/").content.decode()
    config = json.loads(re.search(r'id="pos-config"[^>]*>(.*?)</script>', html)[1])
    strings = json.loads(re.search(r'id="pos-strings"[^>]*>(.*?)</script>', html)[1])
    assert config["business"] == business.pk and config["user"] == cashier.pk
    assert (config["role"], config["canVoid"]) == ("cashier", False)
    assert config["finalConsumerLimit"] == "50.00"
    assert strings["pending"].startswith("Pendiente")
    assert 'rel="modulepreload" href="/static/pos/js/cart.js"' in html
