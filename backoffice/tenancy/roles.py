"""What each role may do in the back office.

Admin classes declare which roles may view and which may change; the base
tenant admin enforces it. Django's per-user permissions are not used for
tenants: a person's rights come from their role in the current business.
"""

from .models import Role


def role_set(*members: Role) -> frozenset[str]:
    """The roles as plain strings, as `has_role` and admin classes compare them."""
    # Plain strings: enum members hash by name, so `"owner" in {Role.OWNER}` fails.
    return frozenset(m.value for m in members)


ALL = frozenset(Role.values)
BACK_OFFICE = role_set(Role.OWNER, Role.MANAGER, Role.ACCOUNTANT, Role.CASHIER)
MANAGERS = role_set(Role.OWNER, Role.MANAGER)
OWNERS = role_set(Role.OWNER)
READERS = role_set(Role.OWNER, Role.MANAGER, Role.ACCOUNTANT)
SELLERS = role_set(Role.OWNER, Role.MANAGER, Role.CASHIER)  # the counter
CAN_VOID = MANAGERS


def role_of(request) -> str | None:
    membership = getattr(request, "membership", None)
    return membership.role if membership else None


def has_role(request, roles) -> bool:
    return role_of(request) in roles
