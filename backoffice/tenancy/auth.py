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

When the middleware also knows, from an earlier request of the same session
on this process, which user and business the session names (`user_hint`),
the session store reads the session row, that user and that membership in
one statement (SESSION_USER_AND_MEMBERSHIP). The hint only chooses what to
read: the user is used only if the session's own (signed) data names that
user, the membership only if the session names that business, and Django
then checks the session hash as always; a wrong hint costs the usual read.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
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


# The user's active membership of the business the session names, and that
# business (NULLs when there is none; row-level security shows the membership
# only in that business's context).
_MEMBERSHIP_JOIN = (
    " LEFT JOIN {Membership} m "
    "ON m.{Membership.user} = u.{User.id} AND m.{Membership.business} = %s "
    "AND m.{Membership.is_active} AND m.{Membership.accepted_at} IS NOT NULL "
    "LEFT JOIN {Business} b ON b.{Business.id} = m.{Membership.business} "
    "AND b.{Business.is_active}"
)

USER_AND_MEMBERSHIP = Sql(
    "user_and_membership",
    select(("u", User), ("m", Membership), ("b", Business))  # noqa: S608 - model names
    + " FROM {User} u"
    + _MEMBERSHIP_JOIN
    + " WHERE u.{User.id} = %s",
    models=(User, Membership, Business),
    example=lambda vendor: ({}, [0, 0]),
)

# The session row and, in the same statement, the user and membership an
# earlier request of this session found (`user_hint`): NULLs where they are
# gone; no row when the session is gone or expired.
SESSION_USER_AND_MEMBERSHIP = Sql(
    "session_user_and_membership",
    select(("s", Session), ("u", User), ("m", Membership), ("b", Business))  # noqa: S608 - model names
    + " FROM {Session} s LEFT JOIN {User} u ON u.{User.id} = %s"
    + _MEMBERSHIP_JOIN
    + " WHERE s.{Session.session_key} = %s AND s.{Session.expire_date} > %s",
    models=(Session, User, Membership, Business),
    example=lambda vendor: ({}, [0, 0, "x" * 32, "2026-01-01 00:00:00"]),
)


@dataclass
class MembershipWanted:
    """What `user_with_membership` asked for, and what the user's read found."""

    business_id: int
    user_hint: int | None = None  # read the user with the session (see above)
    user_pk: int | None = None  # set once the read ran
    membership: Membership | None = None
    prefetched: object | None = None  # the hinted user, read with the session

    def session_read(self, connection, key: str, now) -> Session | None:
        """The session row, with the hinted user and their membership."""
        with connection.cursor() as cursor:
            cursor.execute(
                SESSION_USER_AND_MEMBERSHIP.render(connection),
                [self.user_hint, self.business_id, key, now],
            )
            row = cursor.fetchone()
        if row is None:
            return None
        session, user, membership, business = instances(
            connection, row, Session, User, Membership, Business
        )
        if user.pk is not None:
            self.prefetched = user
            self.membership = _attached(membership, business, user)
        return session


_wanted: ContextVar[MembershipWanted | None] = ContextVar(
    "southernpos_membership_wanted", default=None
)


def _attached(membership, business, user) -> Membership | None:
    if membership.pk is None or business.pk is None:
        return None
    membership.business, membership.user = business, user
    return membership


def session_read_wanted() -> MembershipWanted | None:
    """What the session store should read the session with, if anything."""
    wanted = _wanted.get()
    if wanted is None or wanted.user_hint is None or wanted.user_pk is not None:
        return None
    return wanted


@contextmanager
def user_with_membership(business_id: int, *, user_hint: int | None = None):
    """Have `MemberBackend.get_user` read the user's membership of
    `business_id` with the user (run it in that business's tenant context);
    with `user_hint`, have the session store read that user and membership
    with the session row."""
    wanted = MembershipWanted(business_id, user_hint=user_hint)
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
        wanted = _wanted.get()
        if wanted is not None and wanted.prefetched is not None:
            if wanted.prefetched.pk == pk:  # the session names the hinted user
                wanted.user_pk = pk
                user = wanted.prefetched
                return user if self.user_can_authenticate(user) else None
            wanted.membership = None  # another user's: read as without a hint
        connection = connections[router.db_for_read(User)]
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
            wanted.membership = _attached(membership, business, user)
        return user if self.user_can_authenticate(user) else None
