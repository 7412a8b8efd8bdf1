from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import TenantImportExportAdmin
from backoffice.tenancy.context import require_business
from backoffice.tenancy.importing import (
    SPREADSHEET_FORMATS,
    SpreadsheetExportMixin,
    SpreadsheetImportMixin,
)
from backoffice.tenancy.modelforms import TenantModelForm

from . import services
from .models import Customer
from .resources import CustomerResource


@admin.register(Customer)
class CustomerAdmin(
    SpreadsheetImportMixin, SpreadsheetExportMixin, TenantImportExportAdmin
):
    """Consumidor final shows read-only: it can be neither edited nor deleted."""

    form = TenantModelForm
    view_roles = roles.BACK_OFFICE
    change_roles = roles.MANAGERS
    resource_classes = [CustomerResource]
    skip_admin_log = True
    formats = SPREADSHEET_FORMATS
    list_display = ["name", "id_type", "identification", "email", "phone"]
    list_filter = ["id_type"]
    search_fields = ["name", "identification", "email"]
    fields = ["id_type", "identification", "name", "email", "phone", "address"]

    def has_export_permission(self, request):
        # The whole list (identifications, e-mails, addresses) leaves only
        # with the owner, a manager or the accountant; cashiers look people up.
        return roles.has_role(request, roles.READERS) and super().has_export_permission(
            request
        )

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_final_consumer:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_final_consumer:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        if any(getattr(o, "is_final_consumer", False) for o in objs):
            perms_needed = {*perms_needed, str(_("consumidor final"))}
        return deleted, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change):
        values = {name: getattr(obj, name) for name in services.EDITABLE}
        business = require_business()
        if change:
            services.customer_update(business=business, customer=obj, **values)
        else:
            saved = services.customer_create(business=business, **values)
            obj.pk, obj.business = saved.pk, saved.business
