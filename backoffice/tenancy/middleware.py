from backoffice.limits import is_id

from .auth import user_with_membership
from .context import _current, tenant_context
from .models import Business
from .selectors import membership_active_for

SESSION_KEY = "business_id"


class TenantMiddleware:
    """Put the logged-in user's active business in context for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(SESSION_KEY)
        authenticated, membership = self._user_with_membership(request, chosen)
        if authenticated:
            if membership is None:  # no session business, or not a member of it
                membership = membership_active_for(
                    user=request.user, business_id=chosen
                )
            if membership is not None and chosen is None:
                # Remember the business the login landed in: later requests read
                # the membership in that business's context, with no switch of
                # the row-level-security setting (one session write, once).
                request.session[SESSION_KEY] = membership.business_id
        request.membership = membership
        request.business = membership.business if membership else None
        token = _current.set(request.business)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    @staticmethod
    def _user_with_membership(request, chosen) -> tuple[bool, object]:
        """Whether the request has a user and, when its session names a
        business, the user's active membership of it, read with the user in
        one statement (backoffice.tenancy.auth) and kept only if Django
        accepted that very user (session hash, active)."""
        if not is_id(chosen):
            return request.user.is_authenticated, None
        with (
            tenant_context(Business(pk=chosen)),
            user_with_membership(chosen) as wanted,
        ):
            authenticated = request.user.is_authenticated
        if authenticated and wanted.user_pk == request.user.pk:
            return True, wanted.membership
        return authenticated, None
