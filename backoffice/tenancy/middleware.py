from backoffice.limits import is_id
from core.memo import remember
from core.sql import build

from .auth import user_with_membership
from .context import _current, tenant_context
from .models import Business
from .selectors import membership_active_for

SESSION_KEY = "business_id"
# Session key → (user id, business id) it named on this process's last
# request: only a hint of what to read with the session row (see
# backoffice.tenancy.auth), never trusted. Bounded; emptied when full.
_hints: dict[str, tuple[int, int]] = {}
HINTS_MAX = 10_000


class TenantMiddleware:
    """Put the logged-in user's active business in context for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.session.session_key  # the cookie's, if valid: no read yet
        chosen, authenticated, membership = self._resolve(request, key)
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
            if membership is not None and key and key == request.session.session_key:
                hint = (request.user.pk, membership.business_id)
                remember(_hints, key, hint, HINTS_MAX)
        request.membership = membership
        request.business = membership.business if membership else None
        token = _current.set(request.business)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    def _resolve(self, request, key) -> tuple[object, bool, object]:
        """The session's business, whether the request has a user, and the
        user's active membership of that business when the session names one.

        With a hint from this session's last request, the session row, the
        user and the membership are one statement; the session's own data
        must then name the same user and business, or the hint is ignored.
        """
        if hint := _hints.get(key) if key else None:
            user_pk, business_id = hint
            with (
                tenant_context(build(Business, pk=business_id)),
                user_with_membership(business_id, user_hint=user_pk) as wanted,
            ):
                chosen = request.session.get(SESSION_KEY)
                if chosen == business_id:
                    authenticated = request.user.is_authenticated
                    if authenticated and wanted.user_pk == request.user.pk:
                        return chosen, True, wanted.membership
                    return chosen, authenticated, None
        chosen = request.session.get(SESSION_KEY)
        return chosen, *self._user_with_membership(request, chosen)

    @staticmethod
    def _user_with_membership(request, chosen) -> tuple[bool, object]:
        """Whether the request has a user and, when its session names a
        business, the user's active membership of it, read with the user in
        one statement (backoffice.tenancy.auth) and kept only if Django
        accepted that very user (session hash, active)."""
        if not is_id(chosen):
            return request.user.is_authenticated, None
        with (
            tenant_context(build(Business, pk=chosen)),
            user_with_membership(chosen) as wanted,
        ):
            authenticated = request.user.is_authenticated
        if authenticated and wanted.user_pk == request.user.pk:
            return True, wanted.membership
        return authenticated, None
