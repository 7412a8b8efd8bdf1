"""The current business (tenant), held in a context variable.

Requests get it from `TenantMiddleware`; commands and jobs use
`with tenant_context(business):`. System code that must see every business
says so with `with system_context():` (never the default).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Business


class TenantNotSetError(RuntimeError):
    """Raised when tenant-owned data is queried with no business in context."""


class TenantMismatchError(RuntimeError):
    """Raised when code asks for a business other than the one in context."""


SYSTEM = object()  # sentinel: explicit, audited access to all businesses
_current: contextvars.ContextVar = contextvars.ContextVar("business", default=None)


def current_business() -> Business | None:
    value = _current.get()
    return None if value is SYSTEM else value


def is_system() -> bool:
    return _current.get() is SYSTEM


def require_business() -> Business:
    value = _current.get()
    if value is None or value is SYSTEM:
        raise TenantNotSetError("No business in context: tenant data is not readable.")
    return value


def current_rls_key() -> str:
    """The value of the PostgreSQL setting `app.business_id` for this context."""
    value = _current.get()
    if value is SYSTEM:
        return "*"
    return "" if value is None else str(value.pk)


@contextmanager
def tenant_context(business: Business):
    if business is None or business.pk is None:
        raise TenantNotSetError("tenant_context needs a saved business.")
    token = _current.set(business)
    try:
        yield business
    finally:
        _current.reset(token)


@contextmanager
def system_context():
    token = _current.set(SYSTEM)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def no_tenant():
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)
