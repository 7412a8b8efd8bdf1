"""Django's database sessions, read with one hand-written statement.

SESSION_ENGINE: every request of a logged-in user reads its session row, and
the ORM's query compiler cost more than the query (BENCHMARKS.md, checkout).
Storage, expiry, cycling and logout are Django's own (`db.SessionStore`); a
logout deletes the row, so it takes effect at once on every worker. When
TenantMiddleware knows whom the session named last time, the same statement
also reads that user and their membership (backoffice.tenancy.auth).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from core.memo import remember
from core.sql import Sql, instance, select

from .auth import session_read_wanted

_KEY_CHARS = frozenset(VALID_KEY_CHARS)
# Signed session data → what it decoded to, for data whose values are all
# immutable (the same text decodes to the same dict; a copy is handed out).
# Checking the signature and parsing the JSON was a fifth of the session's
# read on every request. Bounded; emptied when full.
_decoded: dict[str, dict] = {}
DECODED_MAX = 1_000
_SCALARS = (str, int, float, bool, type(None))

SESSION_LOAD = Sql(
    "session_load",
    select(("s", Session))  # noqa: S608 - a template of model names, no input
    + " FROM {Session} s WHERE s.{Session.session_key} = %s "
    "AND s.{Session.expire_date} > %s",
    models=(Session,),
    example=lambda vendor: ({}, ["x" * 32, "2026-01-01 00:00:00"]),
)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        # Only keys Django could have made (32 of [a-z0-9]): a cookie with a
        # NUL byte or 5,000 characters is no session, never a database error.
        return bool(key) and 8 <= len(key) <= 40 and set(key) <= _KEY_CHARS

    def decode(self, session_data):
        if (known := _decoded.get(session_data)) is not None:
            return dict(known)
        data = super().decode(session_data)
        if data and all(isinstance(value, _SCALARS) for value in data.values()):
            remember(_decoded, session_data, dict(data), DECODED_MAX)
        return data

    def _get_session_from_db(self):
        connection = connections[router.db_for_read(Session)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        if wanted := session_read_wanted():
            session = wanted.session_read(connection, self.session_key, now)
        else:
            with connection.cursor() as cursor:
                cursor.execute(SESSION_LOAD.render(connection), [self.session_key, now])
                row = cursor.fetchone()
            session = None if row is None else instance(Session, connection, row)
        if session is None:
            self._session_key = None
        return session
