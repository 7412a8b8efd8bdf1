"""A copy of the back office with import/export admins on catalog and customers.

Until those apps register their own admins, this proves the base class
(TenantImportExportAdmin) keeps export, autocomplete and search in scope. Real
admins already registered for these models are used as they are.
"""

from django.contrib import admin
from django.urls import path

from admin_theme.sites import SouthernAdminSite
from backoffice import urls as main_urls
from backoffice.catalog.models import Category, Product
from backoffice.customers.models import Customer
from backoffice.tenancy.admin_base import TenantImportExportAdmin

site = SouthernAdminSite(name="admin")
site._registry.update(admin.site._registry)


class CategoryAdmin(TenantImportExportAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class ProductAdmin(TenantImportExportAdmin):
    list_display = ["code", "name", "category"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["category"]


class CustomerAdmin(TenantImportExportAdmin):
    list_display = ["name", "identification"]
    search_fields = ["name", "identification"]


for model, model_admin in [
    (Category, CategoryAdmin),
    (Product, ProductAdmin),
    (Customer, CustomerAdmin),
]:
    if model not in site._registry:
        site.register(model, model_admin)

urlpatterns = [
    p for p in main_urls.urlpatterns if str(getattr(p, "pattern", "")) != "admin/"
] + [path("admin/", site.urls)]
