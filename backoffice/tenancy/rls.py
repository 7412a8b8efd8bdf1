"""PostgreSQL row-level security: defence in depth behind the scoped managers.

Every table with a `business_id` column gets a policy that shows only the rows
of the business named by the session setting `app.business_id`. The setting is
kept in step with the tenant context variable before every query, so a raw SQL
query in a request for business A sees only A's rows, and with no business set
it sees none. Tables are FORCEd so even their owner is subject to the policy.
"""

import hashlib

from django.apps import apps
from django.db import connections, transaction
from django.db.models.signals import post_migrate
from psycopg import pq

from core.sql import TENANT_FREE

from .context import current_rls_key

SETTING = "app.business_id"
POLICY = "tenant_isolation"
_STATE_ATTR = "_southernpos_rls_key"


def tenant_tables() -> list[str]:
    """Every concrete table that stores a business_id (history tables included)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if field.column == "business_id":
                tables.add(meta.db_table)
    return sorted(tables)


def _condition() -> str:
    # Scalar sub-selects, not bare calls: PostgreSQL runs each once per query (an
    # InitPlan) instead of twice per row scanned — same rows, same safety; a count
    # over a million rows went from 1.04 s to 0.15 s (issue 16, BENCHMARKS.md).
    setting = f"current_setting('{SETTING}', true)"
    return (
        f"((SELECT {setting}) = '*' OR business_id = "
        f"(SELECT NULLIF(NULLIF({setting}, ''), '*')::bigint))"
    )


def fingerprint() -> str:
    """Marks a policy as ours and current (COMMENT ON POLICY): a migrate run
    re-creates only policies whose condition changed."""
    return "southernpos:" + hashlib.sha256(_condition().encode()).hexdigest()[:16]


def policy_sql(table: str) -> list[str]:
    condition = _condition()
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING {condition} WITH CHECK {condition}',
        f"COMMENT ON POLICY {POLICY} ON \"{table}\" IS '{fingerprint()}'",
    ]


_CURRENT = """
SELECT c.relname FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass
WHERE p.polname = %s AND d.description = %s
AND c.relrowsecurity AND c.relforcerowsecurity
"""


def apply_policies(using: str = "default", **kwargs) -> list[str]:
    """Enable, force and (re)create the policy of every tenant table whose
    policy is missing or out of date; returns the tables changed.

    One transaction: a `migrate` on a live database (the Procfile's release
    step) never shows another connection a table without its policy (between
    a DROP and its CREATE, a FORCEd table shows no rows at all), and a run
    with nothing to change changes nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(_CURRENT, [POLICY, fingerprint()])
        current = {row[0] for row in cursor.fetchall()}
        # The database's own columns, not the models': after migrating back, a
        # table may not have its business_id (yet).
        tables = [
            table
            for table in tenant_tables()
            if table in existing
            and table not in current
            and any(
                column.name == "business_id"
                for column in connection.introspection.get_table_description(
                    cursor, table
                )
            )
        ]
        for table in tables:
            for statement in policy_sql(table):
                cursor.execute(statement)
    return tables


def forget(connection) -> None:
    setattr(connection, _STATE_ATTR, None)


def _in_failed_transaction(connection) -> bool:
    """After an error only ROLLBACK (TO SAVEPOINT) may run: set nothing then.

    The rollback undoes the setting anyway, and the backend forgets it after.
    """
    return connection.connection.info.transaction_status == (
        pq.TransactionStatus.INERROR
    )


def sync_setting(execute, sql, params, many, context):
    """Before each query, make `app.business_id` match the tenant context."""
    if sql not in TENANT_FREE:  # our own statements on tables without policies
        sync(context["connection"])
    return execute(sql, params, many, context)


def sync(connection) -> None:
    """Make `app.business_id` match the tenant context, if it does not."""
    key = current_rls_key()
    if getattr(connection, _STATE_ATTR, None) != key and not _in_failed_transaction(
        connection
    ):
        # A separate client-side cursor on the raw psycopg connection: the query's
        # own cursor may be a server-side one (QuerySet.iterator()), on which a
        # SELECT is only DECLAREd, never run, so the setting would silently stay
        # stale. The raw connection also keeps this bookkeeping out of query counts.
        connection.connection.execute(
            "SELECT set_config(%s, %s, false)", [SETTING, key]
        )
        setattr(connection, _STATE_ATTR, key)


def _on_migrate(sender, using="default", **kwargs):
    apply_policies(using)


def connect_signals():
    post_migrate.connect(_on_migrate, dispatch_uid="southernpos_rls_policies")
