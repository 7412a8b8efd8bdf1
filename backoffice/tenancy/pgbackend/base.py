"""PostgreSQL backend that keeps `app.business_id` in step with the tenant context.

A rollback (of a transaction or a savepoint) also undoes `set_config`, so the
cached value is forgotten on every rollback and set again before the next query.
"""

from django.db.backends.postgresql import base
from psycopg import _queries

from backoffice.tenancy import rls

# psycopg caches the conversion of a query's `%s` placeholders only for
# queries of at most 50 parameters; a checkout's multi-row INSERTs (5 lines ×
# 17 columns) were parsed again on every sale, ≈ 0.3 ms of a checkout's Python
# (BENCHMARKS.md). The cache stays bounded (128 queries of ≤ 4 KB each).
# tests/test_settings.py checks the constant is still there on an upgrade.
_queries.MAX_CACHED_STATEMENT_PARAMS = 1000


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(rls.sync_setting)

    def connect(self):
        rls.forget(self)
        super().connect()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            rls.forget(self)

    def _savepoint_rollback(self, sid):
        # Forget after: the ROLLBACK TO SAVEPOINT itself goes through the execute
        # wrapper, and must not try to set anything in the failed transaction.
        try:
            return super()._savepoint_rollback(sid)
        finally:
            rls.forget(self)
