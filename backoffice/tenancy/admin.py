from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from backoffice.images import INVALID_IMAGE, LOGO_MAX_SIDE, clean_uploaded_image

from . import roles
from .admin_base import TenantAdmin
from .models import Business, EmissionPoint, Establishment, Membership, Role
from .services import invitation_send

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    """Platform staff only: tenants manage people through memberships."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


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

    list_display = ["razon_social", "ruc", "mode", "ambiente", "is_active"]
    search_fields = ["razon_social", "nombre_comercial", "ruc"]
    fieldsets = [
        (
            _("Contribuyente"),
            {
                "fields": [
                    "ruc",
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
                    "final_consumer_limit",
                ]
            },
        ),
        (_("Marca"), {"fields": ["logo", "brand_color", "receipt_footer"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["ruc"]

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


class MembershipForm(forms.ModelForm):
    """Add people by e-mail: an existing user is linked, a new one is created."""

    email = forms.EmailField(label=_("correo electrónico"))
    password = forms.CharField(
        label=_("contraseña inicial"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Solo para personas que aún no tienen cuenta."),
    )

    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._keep_an_owner(cleaned)
            return cleaned
        email = cleaned.get("email")
        if not email:
            return cleaned
        self._user = User.objects.filter(
            Q(email__iexact=email) | Q(username__iexact=email)
        ).first()
        password = cleaned.get("password")
        if self._user is None and not password:
            self.add_error(
                "password", _("Indique una contraseña para la nueva cuenta.")
            )
        elif self._user is None:
            try:
                password_validation.validate_password(
                    password, User(username=email, email=email)
                )
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        if (
            self._user is not None
            and Membership.objects.filter(user=self._user).exists()
        ):
            self.add_error("email", _("Esta persona ya es miembro del negocio."))
        return cleaned

    def _keep_an_owner(self, cleaned):
        """The business must keep at least one active owner."""
        if self.instance.role != Role.OWNER or not self.instance.is_active:
            return
        if cleaned.get("role") == Role.OWNER and cleaned.get("is_active"):
            return
        if not other_active_owner_exists(self.instance):
            raise forms.ValidationError(
                _("El negocio debe conservar al menos un propietario activo.")
            )

    def save(self, commit=True):
        if not self.instance.pk:
            email = self.cleaned_data["email"]
            if self._user is not None:
                # Someone who already has an account is invited: they see the
                # business only once they accept (their consent, not ours).
                self.instance.user = self._user
                self.instance.accepted_at = None
            else:
                self.instance.user = User.objects.create_user(
                    username=email, email=email, password=self.cleaned_data["password"]
                )
        return super().save(commit)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    """Only an owner manages who works in the business."""

    form = MembershipForm
    view_roles = roles.OWNERS
    change_roles = roles.OWNERS
    list_display = ["user", "display_email", "role", "is_active", "display_accepted"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    fields = ["email", "password", "role", "is_active"]

    @admin.display(description=_("correo"))
    def display_email(self, obj):
        return obj.user.email

    @admin.display(description=_("invitación"), boolean=True)
    def display_accepted(self, obj):
        return not obj.is_pending

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.is_pending:
            url = request.build_absolute_uri(reverse("invitations"))
            transaction.on_commit(
                lambda: invitation_send(membership=obj, url=url), robust=True
            )
            messages.info(
                request,
                _(
                    "%(email)s ya tiene una cuenta: verá el negocio cuando acepte "
                    "la invitación al ingresar."
                )
                % {"email": obj.user.email},
            )

    def has_delete_permission(self, request, obj=None):
        if (
            obj is not None
            and obj.role == Role.OWNER
            and obj.is_active
            and not other_active_owner_exists(obj)
        ):
            return False
        return super().has_delete_permission(request, obj)


def other_active_owner_exists(membership) -> bool:
    return (
        Membership.objects.filter(
            business_id=membership.business_id, role=Role.OWNER, is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    )
