"""PostgreSQL backend that keeps `app.business_id` in step with the tenant context.

A rollback (of a transaction or a savepoint) also undoes `set_config`, so the
cached value is forgotten on every rollback and set again before the next query.
"""

from django.db.backends.postgresql import base
from psycopg import _queries

from backoffice.tenancy import rls

from . import timestamps

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

    def pipeline_cursor(self):
        """A bare psycopg cursor for a statement of a `core.batch.Batch`, or
        None for Django's own cursor.

        Django's cursor layer (a wrapper per cursor, the execute-wrapper chain,
        error translation per call) cost ~50 µs a statement, as much as
        psycopg's own work, and a checkout sends ~15. The bare cursor is only
        offered when our tenant setting is the only execute wrapper and no
        query is logged (DEBUG, or a test counting them gets Django's cursor,
        so every statement is counted); the setting is brought in step first,
        as the wrapper would, and Batch turns errors into Django's.
        """
        if self.queries_logged or self.execute_wrappers != [rls.sync_setting]:
            return None
        self.validate_no_broken_transaction()
        rls.sync(self)
        return self.connection.cursor()

    def get_connection_params(self):
        params = super().get_connection_params()
        if context := params.get("context"):  # Django's adapters for psycopg 3
            timestamps.register(context, self.timezone)
        return params

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
