"""Counting attempts per account, IP address or e-mail, in the database.

The database, not a per-process cache: every gunicorn worker (and every
machine) sees the same counts, with no extra server. A rule allows `limit`
attempts per sliding `window`; past it, the next one is refused until the
oldest counted attempt leaves the window. Refused attempts are not counted
(they do no work), so a lockout ends on its own.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Attempt

# Rows older than this are no longer counted by any rule.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int
    window: timedelta


# Wrong passwords: per account name typed (whether or not it exists, so a
# lockout says nothing about existence), and per client address.
LOGIN_ACCOUNT = Rule("login-account", 5, timedelta(minutes=15))
LOGIN_IP = Rule("login-ip", 20, timedelta(minutes=15))
# Public forms that send mail or write rows: counted when submitted valid.
SIGNUP_IP = Rule("signup-ip", 5, timedelta(hours=1))
SIGNUP_EMAIL = Rule("signup-email", 3, timedelta(hours=1))
RESET_IP = Rule("reset-ip", 5, timedelta(hours=1))
RESET_EMAIL = Rule("reset-email", 3, timedelta(hours=1))
DISPUTE_IP = Rule("dispute-ip", 5, timedelta(hours=1))


def _digest(rule: Rule, key: str) -> str:
    value = f"{rule.scope}:{key.strip().lower()}"
    return salted_hmac("southernpos.throttle", value).hexdigest()


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    With TRUSTED_PROXY_COUNT = n, the n proxies in front of us each appended
    the address they saw, so the n-th entry from the right is the client's;
    anything further left was written by the client and is not trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def wait_for(checks, *, now=None) -> timedelta | None:
    """How long until every (rule, key) allows one more attempt; None: now."""
    now = now or timezone.now()
    longest = None
    for rule, key in checks:
        if not key:
            continue
        oldest = (
            Attempt.objects.filter(
                scope=rule.scope,
                key=_digest(rule, key),
                created_at__gt=now - rule.window,
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)[rule.limit - 1 : rule.limit]
        )
        oldest = next(iter(oldest), None)
        if oldest is not None:
            wait = oldest + rule.window - now
            longest = wait if longest is None else max(longest, wait)
    return longest


def minutes(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def hit(checks, *, now=None) -> None:
    """Count one attempt against every (rule, key)."""
    now = now or timezone.now()
    Attempt.objects.bulk_create(
        [
            Attempt(scope=rule.scope, key=_digest(rule, key), created_at=now)
            for rule, key in checks
            if key
        ]
    )
    if random.random() < 0.01:  # now and then, forget what no rule counts
        Attempt.objects.filter(created_at__lt=now - KEEP).delete()


def clear(rule: Rule, keys) -> int:
    """Forget the attempts counted against these keys (an unlock)."""
    digests = [_digest(rule, key) for key in keys if key]
    deleted, _ = Attempt.objects.filter(scope=rule.scope, key__in=digests).delete()
    return deleted


def login_keys(request, username: str):
    return [(LOGIN_ACCOUNT, username or ""), (LOGIN_IP, client_ip(request))]


def login_unlock(*, user) -> int:
    """Let an account try its password again (its owner or platform staff)."""
    return clear(LOGIN_ACCOUNT, {user.get_username(), user.email or ""})
