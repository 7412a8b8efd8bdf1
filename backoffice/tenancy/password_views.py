"""Passwords: Django's reset and change views in the back office's look."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse, reverse_lazy

from backoffice.headers import unfold_policy
from backoffice.throttle import services as throttle

from .forms import (
    AccountPasswordResetForm,
)
from .services import (
    account_email_verify,
)
from .views import TOO_MANY, landing_url, over_limit


class AdminLookMixin:
    """Unfold's sign-in layout needs the admin site's context (title, colours)."""

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            **super().get_context_data(**kwargs),
        }

    def dispatch(self, request, *args, **kwargs):
        # unfold's layout runs Alpine.js: under the strict policy its overlays
        # cover the form (seen on /account/password/).
        response = super().dispatch(request, *args, **kwargs)
        response["Content-Security-Policy"] = unfold_policy()
        return response


class PasswordResetView(AdminLookMixin, auth_views.PasswordResetView):
    form_class = AccountPasswordResetForm
    template_name = "tenancy/password_reset_form.html"
    email_template_name = "tenancy/password_reset_email.txt"
    subject_template_name = "tenancy/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        checks = [
            (throttle.RESET_IP, throttle.client_ip(self.request)),
            (throttle.RESET_EMAIL, form.cleaned_data["email"]),
        ]
        if over_limit(form, checks):
            context = self.get_context_data(form=form)
            return self.render_to_response(context, status=TOO_MANY)
        return super().form_valid(form)


class PasswordResetDoneView(AdminLookMixin, auth_views.PasswordResetDoneView):
    template_name = "tenancy/password_reset_done.html"


class PasswordResetConfirmView(AdminLookMixin, auth_views.PasswordResetConfirmView):
    template_name = "tenancy/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        # The link reached the mailbox: the e-mail is proven. The new password
        # also ends every other session (Django's session auth hash).
        account_email_verify(user=form.user)
        return super().form_valid(form)


class PasswordResetCompleteView(AdminLookMixin, auth_views.PasswordResetCompleteView):
    template_name = "tenancy/password_reset_complete.html"


class BackLinkMixin:
    """Back to where this person works: the back office, or the POS page."""

    def get_context_data(self, **kwargs):
        membership = getattr(self.request, "membership", None)
        if membership is not None:
            back = landing_url(membership)
        else:
            back = reverse("admin:index")
        return {**super().get_context_data(**kwargs), "back_url": back}


class PasswordChangeView(BackLinkMixin, AdminLookMixin, auth_views.PasswordChangeView):
    """For every role: the admin's own page needs back-office rights."""

    template_name = "tenancy/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(
    BackLinkMixin, AdminLookMixin, auth_views.PasswordChangeDoneView
):
    template_name = "tenancy/password_change_done.html"
