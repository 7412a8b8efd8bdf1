"""PostgreSQL backend that keeps `app.business_id` in step with the tenant context.

A rollback (of a transaction or a savepoint) also undoes `set_config`, so the
cached value is forgotten on every rollback and set again before the next query.
"""

from django.db.backends.postgresql import base

from backoffice.tenancy import rls


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(rls.sync_setting)

    def connect(self):
        rls.forget(self)
        super().connect()

    def _rollback(self):
        rls.forget(self)
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        # Forget only after: in an aborted transaction, set_config (run by the
        # wrapper before ROLLBACK TO SAVEPOINT) would fail and mask the rollback.
        try:
            return super()._savepoint_rollback(sid)
        finally:
            rls.forget(self)
