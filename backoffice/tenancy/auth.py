"""The authentication backend: Django's ModelBackend, with the user that every
request loads read by one hand-written statement (core.sql).

Passwords, permissions and `is_active` are ModelBackend's own; only
`get_user` (called by `django.contrib.auth.get_user` for each request, which
then checks the session's password hash) skips the ORM's query compiler, which
cost more than the query (BENCHMARKS.md, checkout).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router

from backoffice.limits import is_id
from core.sql import Sql, columns, instance

User = get_user_model()

USER_LOAD = Sql(
    "user_load",
    "SELECT "  # noqa: S608 - a template of model names, no input
    + columns("u", User)
    + " FROM {User} u WHERE u.{User.id} = %s",
    models=(User,),
    example=lambda vendor: ({}, [0]),
)


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if not is_id(pk):
            return None
        connection = connections[router.db_for_read(User)]
        with connection.cursor() as cursor:
            cursor.execute(USER_LOAD.render(connection), [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = instance(User, connection, row)
        return user if self.user_can_authenticate(user) else None
