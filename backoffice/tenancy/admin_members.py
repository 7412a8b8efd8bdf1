"""Members of a business in the back office: add by e-mail (an invitation) or
as a local login, change roles, never lose the last owner."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, password_validation
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.throttle.services import login_unlock

from . import roles
from .admin_base import TenantAdmin
from .context import require_business
from .models import (
    Membership,
    Role,
)
from .services import (
    invitation_send,
    local_username,
    member_account_for,
    member_local_create,
)
from .views import invitation_url

User = get_user_model()


class MembershipForm(forms.ModelForm):
    """Add people by e-mail (they get a link), or as a local login (no mailbox).

    The owner never chooses the password of an account with an e-mail, and
    sees the same thing whether the e-mail already had an account or not.
    """

    email = forms.EmailField(
        label=_("correo electrónico"),
        required=False,
        help_text=_("Le enviaremos un enlace para unirse al negocio."),
    )
    local_name = forms.SlugField(
        label=_("usuario local (sin correo)"),
        max_length=40,
        required=False,
        help_text=_(
            "Para personal sin correo: ingresará como usuario@RUC con la "
            "contraseña que usted indique, solo en este negocio."
        ),
    )
    password = forms.CharField(
        label=_("contraseña del usuario local"),
        widget=forms.PasswordInput,
        required=False,
    )

    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = (
                self.instance.user.email or self.instance.user.username
            )
            self.fields["email"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._keep_an_owner(cleaned)
            return cleaned
        email, name = cleaned.get("email"), cleaned.get("local_name")
        if bool(email) == bool(name) and not self.errors:
            raise forms.ValidationError(
                _("Indique un correo o un usuario local (uno de los dos).")
            )
        if name:
            self._clean_local(cleaned, name)
        elif email and self._member_exists(email):
            self.add_error("email", _("Esta persona ya es miembro del negocio."))
        return cleaned

    def _member_exists(self, email) -> bool:
        # Only this business's own members: says nothing about other accounts.
        return Membership.objects.filter(
            Q(user__email__iexact=email) | Q(user__username__iexact=email)
        ).exists()

    def _clean_local(self, cleaned, name):
        business = require_business()
        username = local_username(business=business, name=name)
        if User.objects.filter(username__iexact=username).exists():
            self.add_error("local_name", _("Ya existe este usuario en el negocio."))
        password = cleaned.get("password")
        if not password:
            self.add_error("password", _("Indique una contraseña para el usuario."))
            return
        try:
            password_validation.validate_password(password, User(username=username))
        except forms.ValidationError as exc:
            self.add_error("password", exc)

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
            business = require_business()
            if name := self.cleaned_data.get("local_name"):
                self.instance.user = member_local_create(
                    business=business, name=name, password=self.cleaned_data["password"]
                )
            else:
                # Pending until the person follows the e-mailed link, new
                # account or not (their consent, and proof of the mailbox).
                self.instance.user = member_account_for(
                    business=business, email=self.cleaned_data["email"]
                )
                self.instance.accepted_at = None
        return super().save(commit)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    """Only an owner manages who works in the business."""

    form = MembershipForm
    view_roles = roles.OWNERS
    change_roles = roles.OWNERS
    list_display = [
        "display_person",
        "display_email",
        "role",
        "is_active",
        "display_accepted",
    ]
    list_filter = ["role", "is_active"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    actions = ["login_unlock"]

    @admin.action(description=_("Desbloquear el ingreso"), permissions=["change"])
    def login_unlock(self, request, queryset):
        """Let a member locked out by wrong passwords try again.

        The queryset is this business's members only (TenantAdmin), so an
        owner can never unlock someone who does not work for them.
        """
        for member in queryset.select_related("user"):
            login_unlock(user=member.user)
        messages.success(request, _("Ingreso desbloqueado."))

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "local_name", "password", "role", "is_active"]
        return ["email", "role", "is_active"]

    @admin.display(description=_("persona"), ordering="user__username")
    def display_person(self, obj):
        return obj.display_person

    @admin.display(description=_("correo"))
    def display_email(self, obj):
        return obj.user.email

    @admin.display(description=_("invitación"), boolean=True)
    def display_accepted(self, obj):
        return not obj.is_pending

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            return
        if not obj.is_pending:
            messages.info(
                request,
                _("Usuario local creado: ingresa como %(username)s.")
                % {"username": obj.user.username},
            )
            return
        url = invitation_url(request, obj)
        transaction.on_commit(
            lambda: invitation_send(membership=obj, url=url), robust=True
        )
        # The same words whether the e-mail had an account or not.
        messages.info(
            request,
            _(
                "Enviamos a %(email)s un enlace para unirse al negocio: aparecerá "
                "como miembro cuando lo acepte."
            )
            % {"email": form.cleaned_data["email"]},
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
