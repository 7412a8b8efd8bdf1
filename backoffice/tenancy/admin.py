from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from backoffice.images import INVALID_IMAGE, LOGO_MAX_SIDE, clean_uploaded_image
from backoffice.throttle.services import login_unlock

from . import roles
from .admin_base import TenantAdmin
from .models import (
    Account,
    Business,
    EmissionPoint,
    Establishment,
    RucDispute,
)
from .services import (
    RucVerifiedError,
    business_ruc_verify,
)

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


class AccountInline(StackedInline):
    """Whether the person proved their e-mail, or is a business-local login."""

    model = Account
    can_delete = False
    fields = ["email_verified_at", "is_local"]
    readonly_fields = ["email_verified_at", "is_local"]

    def has_add_permission(self, request, obj=None):
        return False  # made by the services, never here


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    """Platform staff only: tenants manage people through memberships."""

    inlines = [AccountInline]
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    actions = ["login_unlock"]

    @admin.action(description=_("Desbloquear el ingreso"), permissions=["change"])
    def login_unlock(self, request, queryset):
        """Platform staff let any account try its password again."""
        for user in queryset:
            login_unlock(user=user)
        messages.success(request, _("Ingreso desbloqueado."))


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


class BusinessForm(forms.ModelForm):
    """The logo: JPEG/PNG/WebP checked from its header, stored at most 600 px."""

    class Meta:
        model = Business
        fields = ["logo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "logo" in self.fields:
            self.fields["logo"].error_messages["invalid_image"] = INVALID_IMAGE

    def clean_logo(self):
        return clean_uploaded_image(
            self.cleaned_data.get("logo"), max_side=LOGO_MAX_SIDE
        )


@admin.register(Business)
class BusinessAdmin(SimpleHistoryAdmin, ModelAdmin):
    """An owner edits their own business; platform staff see all of them."""

    form = BusinessForm

    list_display = [
        "razon_social",
        "ruc",
        "display_ruc_verified",
        "mode",
        "ambiente",
        "is_active",
    ]
    search_fields = ["razon_social", "nombre_comercial", "ruc"]
    actions = ["ruc_verify"]
    fieldsets = [
        (
            _("Contribuyente"),
            {
                "fields": [
                    "ruc",
                    "ruc_verified_at",
                    "razon_social",
                    "nombre_comercial",
                    "direccion_matriz",
                    "obligado_contabilidad",
                    "contribuyente_especial",
                    "rimpe",
                    "ambiente",
                ]
            },
        ),
        (
            _("Operación"),
            {
                "fields": [
                    "mode",
                    "default_tax",
                    "prices_include_tax",
                    "service_charge_rate",
                    "allow_negative_stock",
                    "cashier_max_discount",
                    "scale_barcodes",
                    "final_consumer_limit",
                ]
            },
        ),
        (_("Marca"), {"fields": ["logo", "brand_color", "receipt_footer"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["ruc_verified_at"]
        return ["ruc", "ruc_verified_at"]

    @admin.display(description=_("RUC verificado"), boolean=True)
    def display_ruc_verified(self, obj):
        return obj.ruc_verified

    @admin.action(description=_("Marcar el RUC como verificado"))
    def ruc_verify(self, request, queryset):
        """Platform staff settle a claim after checking the taxpayer's papers."""
        for business in queryset:
            try:
                business_ruc_verify(business=business)
            except RucVerifiedError:
                messages.error(
                    request,
                    _("Otro negocio ya verificó el RUC %(ruc)s.")
                    % {"ruc": business.ruc},
                )

    def get_actions(self, request):
        return super().get_actions(request) if self._platform(request) else {}

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        business = getattr(request, "business", None)
        if business is not None:
            return qs.filter(pk=business.pk)
        return qs if request.user.is_superuser else qs.none()

    def _own_owner(self, request, obj):
        business = getattr(request, "business", None)
        if business is None or not roles.has_role(request, roles.OWNERS):
            return False
        return obj is None or obj.pk == business.pk

    def _platform(self, request):
        return request.user.is_superuser and getattr(request, "business", None) is None

    def has_view_permission(self, request, obj=None):
        return self._platform(request) or self._own_owner(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._platform(request) or self._own_owner(request, obj)

    def has_add_permission(self, request):
        return self._platform(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return self.has_view_permission(request)


class ConfigAdmin(TenantAdmin):
    """Configuration: the owner changes it, a manager may look."""

    view_roles = roles.MANAGERS
    change_roles = roles.OWNERS


@admin.register(Establishment)
class EstablishmentAdmin(ConfigAdmin):
    list_display = ["code", "name", "address", "is_active"]
    search_fields = ["code", "name"]


@admin.register(EmissionPoint)
class EmissionPointAdmin(ConfigAdmin):
    list_display = ["__str__", "establishment", "code", "is_active"]
    list_select_related = ["establishment"]
    search_fields = ["code", "name"]


@admin.register(RucDispute)
class RucDisputeAdmin(ModelAdmin):
    """Claims on a verified RUC: platform staff only (no business sees them)."""

    list_display = ["ruc", "razon_social", "email", "created_at", "resolved"]
    list_filter = ["resolved"]
    search_fields = ["ruc", "email", "razon_social"]
    readonly_fields = ["ruc", "razon_social", "email", "message", "created_at"]

    def _platform(self, request):
        return request.user.is_superuser and getattr(request, "business", None) is None

    def has_module_permission(self, request):
        return self._platform(request)

    def has_view_permission(self, request, obj=None):
        return self._platform(request)

    def has_change_permission(self, request, obj=None):
        return self._platform(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Members (their own module; imported here so the admin registers them).
from . import admin_members  # noqa: E402, F401
