"""Shorter sessions on shared tills (issue 10).

Cashiers and waiters log in on counters and tablets that other people use, so
their sessions end after 30 minutes without a request and 12 hours after
login, whatever Django's SESSION_COOKIE_AGE (two weeks) says for the back
office. Owners, managers and accountants keep the normal session.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.translation import gettext as _

from . import roles
from .models import Role

POS_ROLES = frozenset({Role.CASHIER.value, Role.WAITER.value})
POS_SESSION_IDLE = 30 * 60
POS_SESSION_MAX_AGE = 12 * 60 * 60
STARTED, SEEN = "pos_session_started", "pos_session_seen"
TOUCH_EVERY = 60  # seconds: the session is not written on every request


def _limits() -> tuple[int, int]:
    idle = getattr(settings, "POS_SESSION_IDLE", POS_SESSION_IDLE)
    return idle, getattr(settings, "POS_SESSION_MAX_AGE", POS_SESSION_MAX_AGE)


class PosSessionLimitMiddleware:
    """Log out a cashier or waiter whose session is idle or too old.

    Goes after TenantMiddleware, which tells the member's role.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pos_role = roles.role_of(request) in POS_ROLES
        if pos_role and request.user.is_authenticated and self._expired(request):
            return self._logged_out(request)
        return self.get_response(request)

    def _expired(self, request) -> bool:
        idle, max_age = _limits()
        session, now = request.session, int(time.time())
        started = session.setdefault(STARTED, now)
        seen = session.get(SEEN, now)
        if now - seen > idle or now - started > max_age:
            return True
        if SEEN not in session or now - seen >= TOUCH_EVERY:
            session[SEEN] = now
            # The cookie itself ends at the nearer of both limits.
            session.set_expiry(max(1, min(idle, max_age - (now - started))))
        return False

    def _logged_out(self, request):
        logout(request)
        request.membership = request.business = None
        if request.path.startswith("/pos/api/"):
            return JsonResponse(
                {
                    "error": "session_expired",
                    "detail": _("La sesión terminó por inactividad. Ingrese de nuevo."),
                    "field": None,
                },
                status=401,
            )
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
