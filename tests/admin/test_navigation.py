"""The sidebar: grouped by the owner's tasks, showing only what the role may open."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from admin_theme import navigation
from tests.admin import urls_import_export
from tests.factories import UserFactory, membership


def _sidebar(user, business=None, role=None):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.business = business
    request.membership = (
        type("M", (), {"role": role, "business": business})() if role else None
    )
    return {
        str(group["title"]): [str(item["title"]) for item in group["items"]]
        for group in navigation.sidebar(request)
    }


def test_owner_sidebar(business):
    owner = UserFactory()
    membership(business, owner, "owner")
    groups = _sidebar(owner, business, "owner")
    assert groups["Configuración"] == [
        "Negocios",
        "Establecimientos",
        "Puntos de emisión",
        "Miembros",
    ]
    assert groups["Ventas"] == [
        "Ventas",
        "Anulaciones",
        "Devoluciones",
        "Abrir POS",
        "Mi PIN de supervisor",
    ]
    assert "Usuarios" not in str(groups)


def test_cashier_sidebar_has_no_configuration(business):
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    groups = _sidebar(cashier, business, "cashier")
    assert "Configuración" not in groups
    assert groups["Ventas"] == ["Abrir POS"]


def test_platform_sidebar(db):
    staff = UserFactory(is_superuser=True, is_staff=True)
    groups = _sidebar(staff)
    assert groups["Configuración"][0] == "Negocios"
    assert "Usuarios" in groups["Configuración"]
    assert "Establecimientos" not in groups["Configuración"]
    # negocios, usuarios, grupos, tareas, reclamos de RUC
    assert len(groups["Configuración"]) == 5


@pytest.mark.urls("tests.admin.urls_import_export")
def test_a_new_admin_appears_in_its_apps_group(business, monkeypatch):
    """An app registering an admin that GROUPS does not list is still reachable."""
    monkeypatch.setattr(admin, "site", urls_import_export.site)
    monkeypatch.setattr(
        navigation,
        "GROUPS",
        [
            (title, [e for e in entries if e[0] != "catalog.category"])
            for title, entries in navigation.GROUPS
        ],
    )
    owner = UserFactory()
    membership(business, owner, "owner")
    groups = _sidebar(owner, business, "owner")
    assert "Categorías" in groups["Catálogo"]
    assert groups["Catálogo"][0] == "Productos"  # listed entries keep their order
