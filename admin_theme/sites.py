import copy
from datetime import timedelta
from functools import update_wrapper

from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from unfold.sites import UnfoldAdminSite

from backoffice.tenancy.middleware import SESSION_KEY
from backoffice.tenancy.roles import BACK_OFFICE, MANAGERS, SELLERS, has_role
from backoffice.tenancy.selectors import (
    invitation_list_for_user,
    membership_active_for,
    membership_list_for_user,
)
from pos.selectors import pin_lockout_list
from pos.services.pins import PIN_FAILURE_LIMIT, PIN_FAILURE_WINDOW
from pos.views import SupervisorPinView

from .branding import palette
from .forms import BackOfficeAuthenticationForm
from .refusals import refusal_response


class SouthernAdminSite(UnfoldAdminSite):
    """The back office: tenants enter by membership, platform staff as superusers."""

    login_form = BackOfficeAuthenticationForm
    index_title = _("Panel")

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or has_role(request, BACK_OFFICE)

    def login(self, request, extra_context=None):
        """Staff of the counter (waiters) land on the POS page, not the back office."""
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if isinstance(form, BackOfficeAuthenticationForm) and form.is_locked():
            response.status_code = 429  # Too Many Requests, with the form's words
            return response
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and not request.user.is_superuser
            and response.status_code == 302
            and response["Location"] == reverse("admin:index", current_app=self.name)
        ):
            membership = membership_active_for(user=request.user, business_id=None)
            if membership is None and invitation_list_for_user(user=request.user):
                return HttpResponseRedirect(reverse("invitations"))
            if membership is None or membership.role not in BACK_OFFICE:
                return HttpResponseRedirect(reverse("pos:page"))
        return response

    def admin_view(self, view, cacheable=False):
        """Signed-in people without the back office get an explanation, not the
        login form again (a waiter following a link to /admin/)."""
        guarded = super().admin_view(view, cacheable)

        def refuse_or_run(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and not self.has_permission(request):
                if request.path == reverse("admin:logout", current_app=self.name):
                    return view(request, *args, **kwargs)  # let them sign out
                return never_cache(refusal_response)(request, back_office=True)
            return guarded(request, *args, **kwargs)

        return update_wrapper(refuse_or_run, guarded)

    def index(self, request, extra_context=None):
        # Offers from other businesses wait for this person's answer.
        invitations = invitation_list_for_user(user=request.user)
        extra_context = {
            **(extra_context or {}),
            "pending_invitations": invitations,
            "pin_alerts": self._pin_alerts(request),
            "supervisor_pin_missing": self._pin_missing(request),
            "pin_failure_limit": PIN_FAILURE_LIMIT,
            "pin_lock_minutes": int(PIN_FAILURE_WINDOW.total_seconds() // 60),
        }
        return super().index(request, extra_context)

    @staticmethod
    def _pin_missing(request) -> bool:
        """An owner or manager without a supervisor PIN cannot approve at the till."""
        membership = getattr(request, "membership", None)
        return (
            membership is not None
            and has_role(request, MANAGERS)
            and not membership.pin
        )

    @staticmethod
    def _pin_alerts(request):
        """Cashiers locked out by wrong supervisor PINs today (issue 10)."""
        business = getattr(request, "business", None)
        if business is None or not has_role(request, MANAGERS):
            return []
        since = timezone.now() - timedelta(days=1)
        return list(pin_lockout_list(business=business, since=since)[:10])

    def each_context(self, request):
        context = super().each_context(request)
        business = getattr(request, "business", None)
        if business is not None:
            colors = copy.deepcopy(context.get("colors") or {})
            colors["primary"] = palette(business.brand_color)
            context["colors"] = colors
            context["site_header"] = str(business)
            context["site_subheader"] = f"RUC {business.ruc}"
            if business.logo:
                context["site_logo"] = business.logo.url
        context["current_business"] = business
        if not has_role(request, SELLERS):
            context["site_url"] = None  # the POS page would only say "cannot sell"
        if request.user.is_authenticated:
            context["user_memberships"] = membership_list_for_user(user=request.user)
        return context

    def get_urls(self):
        return [
            path(
                "switch-business/",
                self.admin_view(self.switch_business),
                name="switch_business",
            ),
            # Under /admin/: unfold's layout needs the admin's script policy.
            path(
                "supervisor-pin/",
                self.admin_view(SupervisorPinView.as_view()),
                name="supervisor_pin",
            ),
        ] + super().get_urls()

    @staticmethod
    @require_POST
    def switch_business(request):
        """Make another of the user's businesses the current one."""
        wanted = request.POST.get("business")
        allowed = {
            str(m.business_id) for m in membership_list_for_user(user=request.user)
        }
        if wanted in allowed:
            request.session[SESSION_KEY] = int(wanted)
        target = request.POST.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("admin:index")
        return HttpResponseRedirect(target)
