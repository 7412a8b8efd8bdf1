"""Roles map to what each person may open and change in the back office."""

import re

import pytest
from django.contrib import admin

from backoffice.catalog.models import Category
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Establishment, Membership
from tests.admin import urls_import_export
from tests.factories import BusinessFactory, UserFactory, membership

CONFIG_PAGES = [
    "/admin/tenancy/business/",
    "/admin/tenancy/establishment/",
    "/admin/tenancy/emissionpoint/",
    "/admin/tenancy/membership/",
]


def member(business, role, **kwargs):
    user = UserFactory(**kwargs)
    membership(business, user, role)
    return user


@pytest.fixture
def category(business):
    with tenant_context(business):
        return Category.objects.create(business=business, name="Bebidas")


@pytest.fixture
def catalog_site(monkeypatch):
    """Catalog admins (test copies until the catalog app registers its own)."""
    monkeypatch.setattr(admin, "site", urls_import_export.site)


def test_owner_opens_every_configuration_page(client, business):
    client.force_login(member(business, "owner"))
    assert [client.get(url).status_code for url in CONFIG_PAGES] == [200] * 4
    establishment = business_establishment(business)
    url = f"/admin/tenancy/establishment/{establishment.pk}/change/"
    assert b'name="_save"' in client.get(url).content


def business_establishment(business):
    with tenant_context(business):
        return Establishment.objects.get(code="001")


def test_cashier_cannot_open_configuration(client, business):
    client.force_login(member(business, "cashier"))
    assert client.get("/admin/").status_code == 200
    assert [client.get(url).status_code for url in CONFIG_PAGES] == [403] * 4
    establishment = business_establishment(business)
    for suffix in ("change", "delete", "history"):
        url = f"/admin/tenancy/establishment/{establishment.pk}/{suffix}/"
        assert client.get(url).status_code == 403, url
    # And the sidebar offers none of it.
    html = client.get("/admin/").content.decode()
    for url in CONFIG_PAGES:
        assert f'href="{url}"' not in html


def test_manager_sees_configuration_but_only_the_owner_changes_it(client, business):
    client.force_login(member(business, "manager"))
    establishment = business_establishment(business)
    url = f"/admin/tenancy/establishment/{establishment.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # read-only
    response = client.post(
        url, {"code": "001", "name": "Cambiado", "address": "x", "is_active": "on"}
    )
    assert response.status_code == 403
    with system_context():
        establishment.refresh_from_db()
    assert establishment.name == "Matriz"
    assert client.get("/admin/tenancy/establishment/add/").status_code == 403
    # Memberships and the business itself: owner only.
    assert client.get("/admin/tenancy/membership/").status_code == 403
    assert client.get("/admin/tenancy/business/").status_code == 403


@pytest.mark.urls("tests.admin.urls_import_export")
def test_accountant_views_but_cannot_change(client, business, category, catalog_site):
    client.force_login(member(business, "accountant"))
    changelist = client.get("/admin/catalog/category/")
    assert changelist.status_code == 200
    assert "Bebidas" in changelist.content.decode()
    change_url = f"/admin/catalog/category/{category.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    post = client.post(change_url, {"name": "Otra", "color": "#000000"})
    assert post.status_code == 403
    assert client.get("/admin/catalog/category/add/").status_code == 403
    assert client.get(f"/admin/catalog/category/{category.pk}/delete/").status_code == (
        403
    )
    with system_context():
        category.refresh_from_db()
    assert category.name == "Bebidas"
    # Configuration stays closed to the accountant.
    assert [client.get(url).status_code for url in CONFIG_PAGES] == [403] * 4


def test_cashier_looks_up_the_catalog_but_cannot_change_it(client, business):
    client.force_login(member(business, "cashier"))
    assert client.get("/admin/catalog/product/").status_code == 200
    assert client.get("/admin/catalog/product/add/").status_code == 403
    assert client.get("/admin/catalog/category/add/").status_code == 403


def test_waiter_has_no_back_office_but_has_the_pos(client, business):
    client.force_login(member(business, "waiter"))
    response = client.get("/admin/")
    # Not the login form again: an explanation and the way to the POS.
    assert response.status_code == 403
    assert 'href="/pos/"' in response.content.decode()
    assert client.get("/pos/", follow=True).status_code == 200  # the floor


def test_only_the_owner_manages_memberships(
    client, business, mailoutbox, django_capture_on_commit_callbacks
):
    owner = member(business, "owner")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tenancy/membership/add/",
            {"email": "nuevo.cajero@example.ec", "role": "cashier", "is_active": "on"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(business):
        added = Membership.objects.get(user__email="nuevo.cajero@example.ec")
    assert added.role == "cashier"
    # The owner does not choose the password: the cashier does, from the link.
    assert not added.user.has_usable_password()
    (mail,) = mailoutbox
    link = re.search(r"http://testserver(/invitations/\S+)", mail.body).group(1)
    client.logout()
    client.post(
        link,
        {"new_password1": "Clave-segura-2026", "new_password2": "Clave-segura-2026"},
    )
    # The new cashier can log in with it, and cannot manage memberships.
    client.logout()
    assert client.login(
        username="nuevo.cajero@example.ec", password="Clave-segura-2026"
    )
    assert client.get("/admin/tenancy/membership/").status_code == 403
    assert (
        client.get(f"/admin/tenancy/membership/{added.pk}/change/").status_code == 403
    )


def test_membership_of_another_business_cannot_be_added_twice(client, business):
    owner = member(business, "owner")
    existing = member(business, "cashier")
    client.force_login(owner)
    response = client.post(
        "/admin/tenancy/membership/add/",
        {"email": existing.email, "role": "manager", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "ya es miembro" in response.content.decode()
    with tenant_context(business):
        assert Membership.objects.get(user=existing).role == "cashier"


def test_superuser_without_membership_sees_platform_pages_only(
    client, business, other_business, category
):
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    businesses = client.get("/admin/tenancy/business/")
    assert businesses.status_code == 200
    html = businesses.content.decode()
    assert business.razon_social in html and other_business.razon_social in html
    assert client.get("/admin/auth/user/").status_code == 200
    # No tenant data: tenant pages are closed and the dashboard has no figures.
    for url in CONFIG_PAGES[1:]:
        assert client.get(url).status_code == 403, url
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "kpis" not in index.context
    assert "Administración de la plataforma" in index.content.decode()


def test_tenant_owner_cannot_open_platform_pages(client, business):
    client.force_login(member(business, "owner"))
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403
    assert client.get("/admin/tenancy/business/add/").status_code == 403


def test_switch_business_only_between_own_memberships(client, business):
    second = BusinessFactory(razon_social="Segundo Negocio S.A.")
    foreign = BusinessFactory(razon_social="Negocio Ajeno S.A.")
    user = member(business, "owner")
    membership(second, user, "owner")
    client.force_login(user)

    def current():
        return client.get("/admin/").context["current_business"].pk

    first = current()
    target = second if first == business.pk else business
    response = client.post("/admin/switch-business/", {"business": target.pk})
    assert response.status_code == 302
    assert current() == target.pk
    # A business the user does not belong to is ignored.
    client.post("/admin/switch-business/", {"business": foreign.pk})
    assert current() == target.pk
    assert client.session["business_id"] == target.pk
    # GET does not switch.
    assert client.get(f"/admin/switch-business/?business={first}").status_code == 405
    # An inactive membership no longer counts.
    with system_context():
        Membership.unscoped_objects.filter(user=user, business=target).update(
            is_active=False
        )
    assert current() == first


def test_switch_business_refuses_external_redirects(client, business):
    client.force_login(member(business, "owner"))
    response = client.post(
        "/admin/switch-business/",
        {"business": business.pk, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == "/admin/"


def test_the_last_owner_cannot_demote_or_remove_themselves(client, business):
    owner = member(business, "owner")
    with tenant_context(business):
        own = Membership.objects.get(user=owner)
    client.force_login(owner)
    url = f"/admin/tenancy/membership/{own.pk}/"
    response = client.post(url + "change/", {"role": "cashier", "is_active": "on"})
    assert response.status_code == 200
    assert "al menos un propietario activo" in response.content.decode()
    response = client.post(url + "change/", {"role": "owner"})  # deactivate
    assert "al menos un propietario activo" in response.content.decode()
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    with system_context():
        own.refresh_from_db()
    assert (own.role, own.is_active) == ("owner", True)
    # With a second owner, the first may step down.
    membership(business, UserFactory(), "owner")
    response = client.post(url + "change/", {"role": "manager", "is_active": "on"})
    assert response.status_code == 302
    with system_context():
        own.refresh_from_db()
    assert own.role == "manager"


def test_adding_a_local_member_validates_the_password(client, business):
    client.force_login(member(business, "owner"))
    response = client.post(
        "/admin/tenancy/membership/add/",
        {"local_name": "debil", "password": "123", "role": "cashier"},
    )
    assert response.status_code == 200
    assert "password" in response.context["adminform"].form.errors
    with system_context():
        assert not Membership.objects.filter(
            user__username__startswith="debil"
        ).exists()
    # Neither an e-mail nor a local name, or both: a form error.
    for data in ({}, {"email": "a@b.ec", "local_name": "ana", "password": "x"}):
        response = client.post(
            "/admin/tenancy/membership/add/", {**data, "role": "cashier"}
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.non_field_errors()


def test_adding_a_member_whose_email_is_an_existing_username(client, business):
    existing = UserFactory(username="ya.existe@example.ec", email="")
    client.force_login(member(business, "owner"))
    response = client.post(
        "/admin/tenancy/membership/add/",
        {"email": "ya.existe@example.ec", "role": "waiter", "is_active": "on"},
    )
    assert response.status_code == 302
    with tenant_context(business):
        assert Membership.objects.get(user=existing).role == "waiter"
