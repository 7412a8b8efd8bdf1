from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from backoffice.limits import is_id
from core.sql import Sql, build, instances, select

from .context import system_context, tenant_context
from .models import Business, Membership

# Every request of a logged-in member reads this (TenantMiddleware): written by
# hand, the ORM's compiler cost ten times the query. The membership is read on
# every request, so a change (role, deactivation) takes effect at once.
MEMBERSHIP_ACTIVE = Sql(
    "membership_active",
    select(("m", Membership), ("b", Business))  # noqa: S608 - model names, no input
    + " FROM {Membership} m JOIN {Business} b "
    "ON b.{Business.id} = m.{Membership.business} "
    "WHERE m.{Membership.user} = %s AND m.{Membership.is_active} "
    "AND m.{Membership.accepted_at} IS NOT NULL AND b.{Business.is_active} "
    "ORDER BY CASE WHEN m.{Membership.business} = %s THEN 0 ELSE 1 END, "
    "b.{Business.razon_social}, m.{Membership.id} LIMIT 1",
    models=(Membership, Business),
    example=lambda vendor: ({}, [0, 0]),
)


def _memberships_of(user, *, accepted: bool):
    return Membership.unscoped_objects.filter(
        user=user,
        is_active=True,
        accepted_at__isnull=not accepted,
        business__is_active=True,
    ).select_related("business")


def membership_list_for_user(*, user: AbstractBaseUser) -> list[Membership]:
    """A user's active memberships across businesses (for login and switching)."""
    with system_context():
        return list(
            _memberships_of(user, accepted=True).order_by("business__razon_social")
        )


def _membership_row(user, business_id):
    with connection.cursor() as cursor:
        cursor.execute(MEMBERSHIP_ACTIVE.render(connection), [user.pk, business_id])
        return cursor.fetchone()


def membership_active_for(*, user, business_id) -> Membership | None:
    """The membership the user works in: the chosen one, else the first (by
    business name), with its business; one statement."""
    try:
        business_id = int(business_id) if business_id else None
    except (TypeError, ValueError):
        business_id = None
    row = None
    if is_id(business_id):
        # The usual case: read in the chosen business's context, the one the
        # request then works in (no switch of the RLS setting in between).
        with tenant_context(build(Business, pk=business_id)):
            row = _membership_row(user, business_id)
    if row is None:
        with system_context():
            row = _membership_row(user, business_id)
    if row is None:
        return None
    membership, business = instances(connection, row, Membership, Business)
    membership.business = business
    membership.user = user
    return membership


def invitation_list_for_user(*, user: AbstractBaseUser) -> list[Membership]:
    """Memberships other businesses offered this person, not accepted yet."""
    if not user.is_authenticated:
        return []
    with system_context():
        return list(_memberships_of(user, accepted=False).order_by("created_at"))
