"""The demo loader: idempotent, two distinct businesses, working logins."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from backoffice.catalog.models import Category, Product
from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Account, Business, TenantModel
from core.taxes import TaxCategory
from fixtures.demo import RESTAURANT, SHOP

LOGINS = [
    ("restaurante", "/admin/", "Demo Restaurante"),
    ("cajero.restaurante", "/admin/", "Demo Restaurante"),
    ("mesero.restaurante", "/pos/", "Demo Restaurante"),
    ("tienda", "/admin/", "Demo Tienda"),
    ("cajero.tienda", "/admin/", "Demo Tienda"),
    ("contador.tienda", "/admin/", "Demo Tienda"),
]


def load():
    call_command(
        "load_demo",
        sales=8,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


def snapshot():
    with system_context():
        counts = {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if issubclass(model, TenantModel) or model is Business
        }
    counts["users"] = get_user_model().objects.count()
    return counts


def test_load_demo_twice_changes_nothing(db):
    load()
    first = snapshot()
    load()
    assert snapshot() == first
    assert first["tenancy.Business"] == 2
    assert first["users"] == 6


def test_demo_loaded_before_verification_is_verified_in_place(db):
    """A database from before issue 10: no claim or e-mail was verified."""
    load()
    first = snapshot()
    Business.objects.update(ruc_verified_at=None)
    Account.objects.all().delete()
    load()
    assert snapshot() == first  # no second demo business for the same RUC
    assert Business.objects.filter(ruc_verified_at__isnull=False).count() == 2
    assert Account.objects.filter(email_verified_at__isnull=False).count() == 6


@pytest.mark.parametrize("spec", [RESTAURANT, SHOP], ids=["restaurant", "shop"])
def test_demo_catalog_is_realistic(db, spec):
    load()
    with system_context():
        business = Business.objects.get(ruc=spec["ruc"])
        products = Product.objects.filter(business=business)
        assert products.count() >= 40
        assert Category.objects.filter(business=business).count() >= 5
        assert set(products.values_list("tax_category", flat=True)) >= {
            TaxCategory.IVA_15,
            TaxCategory.IVA_0,
        }
    assert business.nombre_comercial == spec["nombre_comercial"]


def test_demo_businesses_have_different_product_names(db):
    load()
    with system_context():
        restaurant, shop = (
            set(
                Product.objects.filter(business__ruc=spec["ruc"]).values_list(
                    "name", flat=True
                )
            )
            for spec in (RESTAURANT, SHOP)
        )
    assert restaurant and shop
    assert restaurant & shop == set()


@pytest.mark.parametrize("username,lands_on,business", LOGINS)
def test_demo_logins_work(client, db, username, lands_on, business):
    load()
    response = client.post(
        "/admin/login/", {"username": username, "password": "demo1234"}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on
    page = client.get(lands_on, follow=True)  # a waiter goes on to the floor
    assert page.status_code == 200
    assert business in page.content.decode()


def test_wrong_password_or_no_business_cannot_log_in(client, db):
    load()
    wrong = client.post("/admin/login/", {"username": "tienda", "password": "x"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    get_user_model().objects.create_user("sin.negocio", password="demo1234")
    orphan = client.post(
        "/admin/login/", {"username": "sin.negocio", "password": "demo1234"}
    )
    assert orphan.status_code == 200
    # The same words as a wrong password: nothing said about the account.
    assert orphan.context["form"].non_field_errors() == (
        wrong.context["form"].non_field_errors()
    )
    assert "_auth_user_id" not in client.session
