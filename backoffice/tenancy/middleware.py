from .context import _current
from .selectors import membership_active_for

SESSION_KEY = "business_id"


class TenantMiddleware:
    """Put the logged-in user's active business in context for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = None
        if request.user.is_authenticated:
            chosen = request.session.get(SESSION_KEY)
            membership = membership_active_for(user=request.user, business_id=chosen)
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
