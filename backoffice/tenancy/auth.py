"""The authentication backend: Django's ModelBackend, with the user that every
request loads read by one hand-written statement (core.sql).

Passwords, permissions and `is_active` are ModelBackend's own; only
`get_user` (called by `django.contrib.auth.get_user` for each request, which
then checks the session's password hash) skips the ORM's query compiler, which
cost more than the query (BENCHMARKS.md, checkout).

Inside `user_with_membership(business_id)` (TenantMiddleware, for a session
that names its business) the same statement also reads the user's active
membership of that business: one round trip instead of two per request. What
it found is used only if Django then accepts the user (session hash, active).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from backoffice.limits import is_id
from core.sql import Sql, instance, instances, select

from .models import Business, Membership

User = get_user_model()

USER_LOAD = Sql(
    "user_load",
    select(("u", User))  # noqa: S608 - a template of model names, no input
    + " FROM {User} u WHERE u.{User.id} = %s",
    models=(User,),
    example=lambda vendor: ({}, [0]),
)


# The user and, in the same statement, their active membership of the
# business the session names (NULLs when there is none; row-level security
# shows the membership only in that business's context).
USER_AND_MEMBERSHIP = Sql(
    "user_and_membership",
    select(("u", User), ("m", Membership), ("b", Business))  # noqa: S608 - model names
    + " FROM {User} u LEFT JOIN {Membership} m "
    "ON m.{Membership.user} = u.{User.id} AND m.{Membership.business} = %s "
    "AND m.{Membership.is_active} AND m.{Membership.accepted_at} IS NOT NULL "
    "LEFT JOIN {Business} b ON b.{Business.id} = m.{Membership.business} "
    "AND b.{Business.is_active} WHERE u.{User.id} = %s",
    models=(User, Membership, Business),
    example=lambda vendor: ({}, [0, 0]),
)


@dataclass
class MembershipWanted:
    """What `user_with_membership` asked for, and what the user's read found."""

    business_id: int
    user_pk: int | None = None  # set once the read ran
    membership: Membership | None = None


_wanted: ContextVar[MembershipWanted | None] = ContextVar(
    "southernpos_membership_wanted", default=None
)


@contextmanager
def user_with_membership(business_id: int):
    """Have `MemberBackend.get_user` read the user's membership of
    `business_id` with the user (run it in that business's tenant context)."""
    wanted = MembershipWanted(business_id)
    token = _wanted.set(wanted)
    try:
        yield wanted
    finally:
        _wanted.reset(token)


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if not is_id(pk):
            return None
        connection = connections[router.db_for_read(User)]
        wanted = _wanted.get()
        with connection.cursor() as cursor:
            if wanted is None:
                cursor.execute(USER_LOAD.render(connection), [pk])
            else:
                cursor.execute(
                    USER_AND_MEMBERSHIP.render(connection), [wanted.business_id, pk]
                )
            row = cursor.fetchone()
        if row is None:
            return None
        if wanted is None:
            user = instance(User, connection, row)
        else:
            user, membership, business = instances(
                connection, row, User, Membership, Business
            )
            wanted.user_pk = user.pk
            if membership.pk is not None and business.pk is not None:
                membership.business, membership.user = business, user
                wanted.membership = membership
        return user if self.user_can_authenticate(user) else None
