"""One base for every tenant-owned model in the back office.

It scopes querysets, foreign-key and autocomplete choices, object look-ups,
history, actions, import and export to the current business, sets `business`
on save, and maps roles to permissions. Modelled on openwisp-users' mixin.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from import_export.admin import ImportExportModelAdmin
from import_export.resources import modelresource_factory
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from backoffice.display import HistoryChanges

from . import roles
from .context import require_business
from .models import TenantModel
from .resources import TenantResource


def _is_tenant_model(model) -> bool:
    return issubclass(model, TenantModel)


class TenantScopeMixin:
    """Scoping and role permissions; mixed into admins and inlines."""

    view_roles = roles.READERS
    change_roles = roles.MANAGERS
    add_roles = None  # defaults to change_roles
    delete_roles = None  # defaults to change_roles

    def _business(self, request):
        return getattr(request, "business", None)

    def get_queryset(self, request):
        business = self._business(request)
        if business is None:
            return self.model.unscoped_objects.none()
        return super().get_queryset(request).filter(business=business)

    def _scoped_choices(self, related):
        """Choices for a relation: the current business's rows only."""
        business = require_business()
        if _is_tenant_model(related):
            return related.objects.filter(business=business)
        if related is get_user_model():
            # People are shared across businesses: offer only this one's members.
            return related.objects.filter(
                memberships__business=business,
                memberships__accepted_at__isnull=False,
            ).distinct()
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            qs = self._scoped_choices(db_field.remote_field.model)
            if qs is not None:
                kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            qs = self._scoped_choices(db_field.remote_field.model)
            if qs is not None:
                kwargs["queryset"] = qs
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _allowed(self, request, allowed, obj=None) -> bool:
        business = self._business(request)
        if business is None or not roles.has_role(request, allowed):
            return False
        return obj is None or obj.business_id == business.pk

    def has_view_permission(self, request, obj=None):
        return self._allowed(
            request, self.view_roles | self.change_roles, obj
        ) or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, self.change_roles, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request, self.add_roles or self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, self.delete_roles or self.change_roles, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class TenantInlineMixin(TenantScopeMixin):
    def has_add_permission(self, request, obj=None):
        return self._allowed(request, self.add_roles or self.change_roles)


class TenantTabularInline(TenantInlineMixin, TabularInline):
    pass


class TenantStackedInline(TenantInlineMixin, StackedInline):
    pass


class TenantAdmin(TenantScopeMixin, SimpleHistoryAdmin, ModelAdmin):
    """Base admin for tenant-owned models (with django-simple-history)."""

    compressed_fields = True
    warn_unsaved_form = True
    # History page: field name -> (value, historical row) -> text, and labels.
    history_formats: dict = {}
    history_labels: dict = {}

    def save_model(self, request, obj, form, change):
        if not change:
            obj.business = require_business()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, TenantModel) and not instance.business_id:
                instance.business = require_business()
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def _require_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the history rows of objects outside the
        # queryset; refuse instead, so another business's history never shows.
        self._require_in_scope(request, object_id)
        if not hasattr(self.model._meta, "simple_history_manager_attribute"):
            # Ledger rows have no simple-history table: show Django's admin log.
            return super(SimpleHistoryAdmin, self).history_view(
                request, object_id, extra_context
            )
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        for record in historical_records:
            # Shown as is by the template: no reason is blank, not "None".
            record.history_change_reason = record.history_change_reason or ""

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryChanges(
            self.model,
            historical_record,
            formats=self.history_formats,
            labels=self.history_labels,
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        # No change reason is NULL: show nothing rather than Python's "None".
        for record in getattr(context.get("page_obj"), "object_list", ()):
            if getattr(record, "history_change_reason", "") is None:
                record.history_change_reason = ""
        return super().render_history_view(request, template, context, **kwargs)


class TenantImportExportAdmin(ImportExportModelAdmin, TenantAdmin):
    """Tenant admin with spreadsheet import/export (unfold styling).

    Resources default to a `TenantResource` for the model; a resource that is
    not a `TenantResource` is refused, so an import can never pick the business.
    """

    import_form_class = ImportForm
    export_form_class = ExportForm

    def get_resource_classes(self, request):
        if not self.resource_classes and not self.resource_class:
            return [modelresource_factory(self.model, resource_class=TenantResource)]
        classes = super().get_resource_classes(request)
        for resource_class in classes:
            if not issubclass(resource_class, TenantResource):
                raise ImproperlyConfigured(
                    f"{type(self).__name__}: {resource_class.__name__} must "
                    "subclass TenantResource."
                )
        return classes

    def get_valid_export_item_pks(self, request):
        # Rows the export action may name: this business's, explicitly.
        return self.get_queryset(request).values_list("pk", flat=True)

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


class ReadOnlyMixin:
    """For posted, immutable rows: everyone allowed sees, nobody edits."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, self.view_roles, obj)


class ReadOnlyTenantAdmin(ReadOnlyMixin, TenantAdmin):
    """For posted, immutable documents: everyone allowed sees, nobody edits."""


class ReadOnlyTenantInline(ReadOnlyMixin, TenantTabularInline):
    """Rows of an immutable document (lines, payments, SRI messages, events)."""

    extra = 0
    can_delete = False


__all__ = [
    "ReadOnlyMixin",
    "ReadOnlyTenantAdmin",
    "ReadOnlyTenantInline",
    "TenantAdmin",
    "TenantImportExportAdmin",
    "TenantScopeMixin",
    "TenantStackedInline",
    "TenantTabularInline",
]
