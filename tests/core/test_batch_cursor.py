"""A Batch's statements on PostgreSQL go out on a bare psycopg cursor only
while nothing but the tenant setting wraps queries and none are logged; the
setting is brought in step for them as the wrapper would (row-level security
still scopes them), and queries that are counted or wrapped see every one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.tenancy.context import tenant_context
from core.batch import Batch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CATEGORIES = 'SELECT name FROM "catalog_category" ORDER BY name'


def _names(batch_rows) -> list[str]:
    return [name for (name,) in batch_rows]


def test_the_bare_cursor_is_offered_only_when_nothing_else_watches():
    connection.ensure_connection()
    assert connection.queries_logged is False
    with connection.connection.pipeline():
        bare = connection.pipeline_cursor()
        assert type(bare).__module__.startswith("django.db.backends.postgresql")
        assert not hasattr(bare, "db")  # not Django's CursorWrapper
        bare.close()
        with CaptureQueriesContext(connection):
            assert connection.pipeline_cursor() is None
        with connection.execute_wrapper(lambda execute, *args: execute(*args)):
            assert connection.pipeline_cursor() is None


def test_batched_reads_on_the_bare_cursor_follow_the_tenant(
    two_categories, business, other_business
):
    seen = []
    for shop in (business, other_business, business):
        # The connection's setting still names the previous business: the
        # batch must switch it before its statement, or RLS shows the wrong rows.
        with tenant_context(shop), Batch() as batch:
            rows = batch.fetch(CATEGORIES, [])
        seen.append(_names(rows.rows))
    assert seen == [["Bebidas A"], ["Bebidas B"], ["Bebidas A"]]


def test_counted_batches_show_every_statement(two_categories, business):
    with (
        tenant_context(business),
        CaptureQueriesContext(connection) as captured,
        Batch() as batch,
    ):
        rows = batch.fetch(CATEGORIES, [])
        batch.fetch("SELECT 1", [])
    assert _names(rows.rows) == ["Bebidas A"]
    assert [q["sql"] for q in captured.captured_queries] == [CATEGORIES, "SELECT 1"]


def test_a_wrapper_sees_every_batched_statement(two_categories, business):
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with tenant_context(business), connection.execute_wrapper(spy), Batch() as batch:
        batch.fetch("SELECT 2", [])
    assert seen == ["SELECT 2"]
