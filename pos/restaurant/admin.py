"""Back office of restaurant mode: the floor plan, stations and routing, settings."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from backoffice.tenancy import roles
from backoffice.tenancy.admin_base import (
    ReadOnlyTenantAdmin,
    TenantAdmin,
    TenantTabularInline,
)
from backoffice.tenancy.modelforms import TenantModelForm

from .models import Area, Order, RestaurantSettings, Station, StationRoute, Table


class FloorAdminMixin:
    """Everyone in the back office looks; owners and managers change the floor."""

    view_roles = roles.BACK_OFFICE
    change_roles = roles.MANAGERS


class TableInline(FloorAdminMixin, TenantTabularInline):
    model = Table
    form = TenantModelForm
    fields = ["name", "seats", "x", "y", "is_active"]
    extra = 0


@admin.register(Area)
class AreaAdmin(FloorAdminMixin, TenantAdmin):
    form = TenantModelForm
    list_display = ["name", "sort_order", "display_tables"]
    search_fields = ["name"]
    inlines = [TableInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(table_count=Count("tables"))

    @admin.display(description=_("mesas"), ordering="table_count")
    def display_tables(self, obj):
        return obj.table_count


@admin.register(Table)
class TableAdmin(FloorAdminMixin, TenantAdmin):
    form = TenantModelForm
    list_display = ["name", "area", "seats", "x", "y", "is_active"]
    list_filter = ["area", "is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]


class StationRouteInline(FloorAdminMixin, TenantTabularInline):
    model = StationRoute
    form = TenantModelForm
    fields = ["category", "product"]
    autocomplete_fields = ["category", "product"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "product")


@admin.register(Station)
class StationAdmin(FloorAdminMixin, TenantAdmin):
    form = TenantModelForm
    list_display = ["name", "kind", "is_default", "display_routes"]
    search_fields = ["name"]
    inlines = [StationRouteInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(route_count=Count("routes"))

    @admin.display(description=_("rutas"), ordering="route_count")
    def display_routes(self, obj):
        return obj.route_count


@admin.register(RestaurantSettings)
class RestaurantSettingsAdmin(FloorAdminMixin, TenantAdmin):
    form = TenantModelForm
    list_display = ["__str__", "waiters_take_payment", "cancel_pin_limit"]
    list_select_related = ["business"]

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        return not self.get_queryset(request).exists()


@admin.register(Order)
class OrderAdmin(FloorAdminMixin, ReadOnlyTenantAdmin):
    list_display = ["__str__", "status", "guests", "created_at", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["table"]
    date_hierarchy = "created_at"
