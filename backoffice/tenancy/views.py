from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from backoffice.throttle import services as throttle

from .forms import (
    PasswordPairForm,
    RucDisputeForm,
    SignupForm,
)
from .middleware import SESSION_KEY
from .roles import BACK_OFFICE
from .selectors import invitation_list_for_user
from .services import (
    AccountExistsError,
    AccountNotVerifiedError,
    InvitationNotFoundError,
    RucVerifiedError,
    business_register,
    invitation_accept,
    invitation_decline,
    invitation_from_token,
    invitation_join_new,
    invitation_send,
    ruc_dispute_open,
    signup_request,
)
from .tokens import invitation_token_make, signup_token_read

BACKEND = "backoffice.tenancy.auth.MemberBackend"


def _link_invalid(request, status=404):
    return render(
        request,
        "tenancy/message.html",
        {
            "title": _("Enlace no válido"),
            "message": _(
                "El enlace no es válido, ya se usó o venció. Pida que se lo "
                "envíen de nuevo."
            ),
        },
        status=status,
    )


def over_limit(form, checks) -> bool:
    """Count this submission; past a limit, say so on the form and count nothing.

    The same for every e-mail, with or without an account (no enumeration).
    """
    if wait := throttle.wait_for(checks):
        form.add_error(
            None,
            _(
                "Demasiadas solicitudes desde su conexión o para este correo. "
                "Intente de nuevo en %(minutes)d minutos."
            )
            % {"minutes": throttle.minutes(wait)},
        )
        return True
    throttle.hit(checks)
    return False


TOO_MANY = 429


def landing_url(membership) -> str:
    return reverse("admin:index" if membership.role in BACK_OFFICE else "pos:page")


def invitation_url(request, membership) -> str:
    return request.build_absolute_uri(
        reverse("invitation_accept", args=[invitation_token_make(membership)])
    )


class SignupView(View):
    template_name = "tenancy/signup.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request):
        form = SignupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        checks = [
            (throttle.SIGNUP_IP, throttle.client_ip(request)),
            (throttle.SIGNUP_EMAIL, form.cleaned_data["email"]),
        ]
        if over_limit(form, checks):
            return render(request, self.template_name, {"form": form}, status=TOO_MANY)
        signup_request(
            data=form.cleaned_data,
            confirm_url=lambda token: request.build_absolute_uri(
                reverse("signup_confirm", args=[token])
            ),
            login_url=request.build_absolute_uri(reverse("admin:login")),
            reset_url=request.build_absolute_uri(reverse("admin_password_reset")),
        )
        # The same page whether or not the e-mail already has an account.
        return render(
            request,
            "tenancy/message.html",
            {
                "title": _("Revise su correo"),
                "message": _(
                    "Enviamos un mensaje a %(email)s. Siga el enlace para "
                    "confirmar su correo y activar su negocio."
                )
                % {"email": form.cleaned_data["email"]},
            },
        )


class SignupConfirmView(View):
    """The e-mailed sign-up link: choose a password and the business goes live."""

    template_name = "tenancy/password_set.html"

    def _form(self, request, data):
        User = get_user_model()
        return PasswordPairForm(
            User(username=data["email"], email=data["email"]), request.POST or None
        )

    def _render(self, request, data, form, status=200):
        context = {
            "form": form,
            "title": _("Active su negocio"),
            "intro": _(
                "Correo confirmado: %(email)s. Elija la contraseña de su cuenta "
                "para crear %(business)s."
            )
            % {"email": data["email"], "business": data["razon_social"]},
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        data = signup_token_read(token)
        if data is None:
            return _link_invalid(request)
        return self._render(request, data, self._form(request, data))

    def post(self, request, token):
        data = signup_token_read(token)
        if data is None:
            return _link_invalid(request)
        form = self._form(request, data)
        if not form.is_valid():
            return self._render(request, data, form, status=400)
        try:
            user, business = business_register(
                password=form.cleaned_data["new_password1"], **data
            )
        except (AccountExistsError, IntegrityError):
            form.add_error(
                None,
                _(
                    "Este enlace ya se usó: ingrese con su correo y contraseña, "
                    "o cree una nueva desde «¿Olvidó su contraseña?»."
                ),
            )
            return self._render(request, data, form, status=400)
        except RucVerifiedError:
            form.add_error(None, _("Otro negocio verificó este RUC mientras tanto."))
            return self._render(request, data, form, status=400)
        login(request, user, backend=BACKEND)
        request.session[SESSION_KEY] = business.pk
        return redirect("admin:index")


class RucDisputeView(View):
    """Someone says a verified RUC is theirs: a record for platform staff."""

    template_name = "tenancy/signup.html"

    def get(self, request):
        form = RucDisputeForm(initial={"ruc": request.GET.get("ruc", "")[:13]})
        return render(request, self.template_name, self._context(form))

    def post(self, request):
        form = RucDisputeForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self._context(form), status=400)
        checks = [(throttle.DISPUTE_IP, throttle.client_ip(request))]
        if over_limit(form, checks):
            return render(
                request, self.template_name, self._context(form), status=TOO_MANY
            )
        ruc_dispute_open(**form.cleaned_data)
        return render(
            request,
            "tenancy/message.html",
            {
                "title": _("Solicitud recibida"),
                "message": _(
                    "El equipo de la plataforma revisará su solicitud y le "
                    "escribirá a %(email)s."
                )
                % {"email": form.cleaned_data["email"]},
            },
        )

    @staticmethod
    def _context(form):
        return {
            "form": form,
            "heading": _("Reclamar un RUC"),
            "submit": _("Enviar al equipo de la plataforma"),
        }


class InvitationsView(LoginRequiredMixin, View):
    """Businesses that invited this person: decline, or get the link again.

    Accepting takes the link sent to the person's e-mail (InvitationAcceptView).
    """

    template_name = "tenancy/invitations.html"
    login_url = "admin:login"

    def get(self, request):
        invitations = invitation_list_for_user(user=request.user)
        return render(request, self.template_name, {"invitations": invitations})

    def post(self, request):
        action = request.POST.get("action")
        if action not in {"decline", "resend"}:
            return HttpResponseBadRequest(_("Acción no válida."))
        membership_id = request.POST.get("membership")
        if action == "decline":
            try:
                invitation_decline(user=request.user, membership_id=membership_id)
            except InvitationNotFoundError:
                return _link_invalid(request)
            return redirect("invitations")
        pending = {str(m.pk): m for m in invitation_list_for_user(user=request.user)}
        membership = pending.get(str(membership_id))
        if membership is None:
            return _link_invalid(request)
        invitation_send(membership=membership, url=invitation_url(request, membership))
        messages.info(
            request,
            _("Le enviamos el enlace de nuevo a %(email)s.")
            % {"email": request.user.email},
        )
        return redirect("invitations")


class InvitationAcceptView(View):
    """The e-mailed invitation link: the only way into another business.

    A new account (no password yet) chooses its password here. An existing one
    must be logged in as itself and have proven its e-mail before.
    """

    def get(self, request, token):
        return self._handle(request, token)

    def post(self, request, token):
        return self._handle(request, token)

    def _handle(self, request, token):
        try:
            membership = invitation_from_token(token=token)
        except InvitationNotFoundError:
            return _link_invalid(request)
        if not membership.user.has_usable_password():
            return self._new_account(request, token, membership)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if request.user.pk != membership.user_id:
            return _link_invalid(request)
        if request.method == "POST":
            return self._answer(request, token, membership)
        return render(request, "tenancy/invitation.html", {"membership": membership})

    def _answer(self, request, token, membership):
        if request.POST.get("action") == "decline":
            invitation_decline(user=request.user, membership_id=membership.pk)
            return redirect("invitations")
        try:
            membership = invitation_accept(user=request.user, token=token)
        except InvitationNotFoundError:
            return _link_invalid(request)
        except AccountNotVerifiedError:
            return render(
                request,
                "tenancy/message.html",
                {
                    "title": _("Confirme su correo primero"),
                    "message": _(
                        "Su cuenta aún no confirmó su correo. Cree una "
                        "contraseña nueva desde «¿Olvidó su contraseña?»; "
                        "luego vuelva a abrir este enlace."
                    ),
                    "link": reverse("admin_password_reset"),
                    "link_text": _("Crear una contraseña nueva"),
                },
                status=403,
            )
        return self._joined(request, membership)

    def _new_account(self, request, token, membership):
        form = PasswordPairForm(membership.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            membership = invitation_join_new(
                token=token, password=form.cleaned_data["new_password1"]
            )
            login(request, membership.user, backend=BACKEND)
            return self._joined(request, membership)
        context = {
            "form": form,
            "title": _("Únase a %(business)s") % {"business": membership.business},
            "intro": _(
                "%(business)s le invita como %(role)s. Elija la contraseña de su "
                "cuenta %(email)s para unirse."
            )
            % {
                "business": membership.business,
                "role": membership.get_role_display(),
                "email": membership.user.email,
            },
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "tenancy/password_set.html", context, status=status)

    @staticmethod
    def _joined(request, membership):
        request.session[SESSION_KEY] = membership.business_id
        messages.success(
            request,
            _("Ahora es miembro de %(business)s.") % {"business": membership.business},
        )
        return redirect(landing_url(membership))
