from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import IntegrityError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .forms import SignupForm
from .middleware import SESSION_KEY
from .selectors import invitation_list_for_user
from .services import (
    InvitationNotFoundError,
    business_register,
    invitation_accept,
    invitation_decline,
)


class SignupView(View):
    template_name = "tenancy/signup.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SignupForm()})

    def post(self, request):
        form = SignupForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            user, business = business_register(**form.cleaned_data)
        except IntegrityError:
            # Someone registered the same RUC or e-mail a moment ago.
            form.add_error(
                None, _("Este RUC o correo acaba de ser registrado. Revise los datos.")
            )
            return render(request, self.template_name, {"form": form}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = business.pk
        return redirect("admin:index")


class InvitationsView(LoginRequiredMixin, View):
    """Businesses that invited this person: accept (join) or decline."""

    template_name = "tenancy/invitations.html"
    login_url = "admin:login"

    def get(self, request):
        invitations = invitation_list_for_user(user=request.user)
        return render(request, self.template_name, {"invitations": invitations})

    def post(self, request):
        service = {"accept": invitation_accept, "decline": invitation_decline}.get(
            request.POST.get("action")
        )
        if service is None:
            return HttpResponseBadRequest(_("Acción no válida."))
        try:
            membership = service(
                user=request.user, membership_id=request.POST.get("membership")
            )
        except InvitationNotFoundError:
            raise Http404(_("Invitación no encontrada."))
        if membership is not None:  # accepted: work in that business now
            request.session[SESSION_KEY] = membership.business_id
            messages.success(
                request,
                _("Ahora es miembro de %(business)s.")
                % {"business": membership.business},
            )
            return redirect("admin:index")
        return redirect("invitations")
