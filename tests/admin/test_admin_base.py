"""The base tenant admin: export, import, autocomplete and choices stay in scope."""

import pytest
import tablib
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory
from import_export.resources import modelresource_factory

from backoffice.catalog.models import Category
from backoffice.inventory.models import StockMove
from backoffice.tenancy import rls
from backoffice.tenancy.admin_base import TenantAdmin, TenantImportExportAdmin
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.resources import TenantResource
from tests.admin import test_isolation_crawler as crawler
from tests.admin import urls_import_export
from tests.factories import UserFactory, membership

demo = crawler.demo


@pytest.fixture
def import_export_site(monkeypatch):
    monkeypatch.setattr(admin, "site", urls_import_export.site)
    return urls_import_export.site


@pytest.mark.urls("tests.admin.urls_import_export")
def test_crawler_covers_export_and_autocomplete(client, demo, import_export_site):
    restaurant, shop = demo
    covered = set()
    crawls = [
        crawler._crawl(client, "restaurante", restaurant, shop, covered),
        crawler._crawl(client, "tienda", shop, restaurant, covered),
    ]
    problems = [p for c in crawls for p in c.problems]
    assert not problems, "\n".join(problems)
    assert {"catalog.Category", "catalog.Product", "customers.Customer"} <= covered


@pytest.mark.urls("tests.admin.urls_import_export")
def test_export_returns_only_own_rows(client, demo, import_export_site):
    restaurant, shop = demo
    client.login(username="restaurante", password="demo1234")
    response = client.post(
        "/admin/catalog/category/export/",
        {"format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Platos fuertes" in text  # the restaurant's
    assert "Abarrotes" not in text  # the shop's
    with system_context():
        own = Category.objects.filter(business=restaurant).count()
    assert len(text.strip().splitlines()) == own + 1  # header + own rows


@pytest.mark.urls("tests.admin.urls_import_export")
def test_crawler_detects_a_leaking_export(
    client, demo, import_export_site, monkeypatch
):
    def leaky(self, request):
        with system_context():
            return self.model.unscoped_objects.all()

    monkeypatch.setattr(TenantImportExportAdmin, "get_export_queryset", leaky)
    monkeypatch.setattr(rls, "current_rls_key", lambda: "*")  # RLS off as well
    restaurant, shop = demo
    crawl = crawler._crawl(client, "restaurante", restaurant, shop, set())
    assert any("export" in p for p in crawl.problems), crawl.problems


def test_import_cannot_reach_another_business(business, other_business):
    with tenant_context(other_business):
        theirs = Category.objects.create(business=other_business, name="Ajena")
    resource = modelresource_factory(Category, resource_class=TenantResource)()
    data = tablib.Dataset(headers=["id", "business", "name", "sort_order"])
    data.append([theirs.pk, other_business.pk, "Robada", 1])
    data.append(["", other_business.pk, "Nueva", 2])
    with tenant_context(business):
        result = resource.import_data(data, dry_run=False, raise_errors=True)
        mine = sorted(Category.objects.values_list("name", "business_id"))
    assert not result.has_errors()
    assert mine == [("Nueva", business.pk), ("Robada", business.pk)]
    with system_context():
        theirs.refresh_from_db()
    assert (theirs.name, theirs.business_id) == ("Ajena", other_business.pk)


def test_import_export_admin_refuses_a_non_tenant_resource(business):
    from django.core.exceptions import ImproperlyConfigured
    from import_export.resources import ModelResource

    class Plain(ModelResource):
        class Meta:
            model = Category

    class BadAdmin(TenantImportExportAdmin):
        resource_classes = [Plain]

    with pytest.raises(ImproperlyConfigured):
        BadAdmin(Category, AdminSite()).get_export_resource_classes(None)
    default = TenantImportExportAdmin(Category, AdminSite())
    assert issubclass(default.get_import_resource_classes(None)[0], TenantResource)


def test_foreign_key_choices_are_scoped(business, other_business, owner):
    outsider = UserFactory()
    membership(other_business, outsider, "owner")
    request = RequestFactory().get("/")
    request.user, request.business = owner, business
    model_admin = TenantAdmin(StockMove, AdminSite())
    with tenant_context(business):
        users = model_admin.formfield_for_foreignkey(
            StockMove._meta.get_field("user"), request
        ).queryset
        places = model_admin.formfield_for_foreignkey(
            StockMove._meta.get_field("establishment"), request
        ).queryset
        assert list(users) == [owner]
        assert {p.business_id for p in places} == {business.pk}
        assert places.count() == 1


@pytest.mark.postgres
def test_import_never_resets_the_shared_id_sequence(business):
    # Under row-level security MAX(id) sees one business only: resetting the
    # sequence from it could rewind ids over another business's rows.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    resource = modelresource_factory(Category, resource_class=TenantResource)()
    data = tablib.Dataset(headers=["name", "sort_order"])
    data.append(["Nueva", 1])
    with tenant_context(business), CaptureQueriesContext(connection) as queries:
        result = resource.import_data(data, dry_run=False, raise_errors=True)
        assert list(Category.objects.values_list("name", flat=True)) == ["Nueva"]
    assert not result.has_errors()
    assert not [q for q in queries if "setval" in q["sql"].lower()]
