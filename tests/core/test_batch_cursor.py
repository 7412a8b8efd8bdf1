"""A Batch's statements on PostgreSQL go out on a bare psycopg cursor only
while nothing but the tenant setting wraps queries and none are logged; the
setting is brought in step for them as the wrapper would (row-level security
still scopes them), and queries that are counted or wrapped see every one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.catalog.models import Category
from backoffice.tenancy.context import tenant_context
from core.batch import Batch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CATEGORIES = 'SELECT name FROM "catalog_category" ORDER BY name'


def _names(batch_rows) -> list[str]:
    return [name for (name,) in batch_rows]


@pytest.fixture
def two_shops(business, other_business):
    with tenant_context(business):
        Category.objects.create(business=business, name="Bebidas A")
    with tenant_context(other_business):
        Category.objects.create(business=other_business, name="Postres B")
    return business, other_business


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


def test_batched_reads_on_the_bare_cursor_follow_the_tenant(two_shops):
    first, second = two_shops
    seen = []
    for business in (first, second, first):
        # The connection's setting still names the previous business: the
        # batch must switch it before its statement, or RLS shows the wrong rows.
        with tenant_context(business), Batch() as batch:
            rows = batch.fetch(CATEGORIES, [])
        seen.append(_names(rows.rows))
    assert seen == [["Bebidas A"], ["Postres B"], ["Bebidas A"]]


def test_counted_batches_show_every_statement(two_shops):
    first, _second = two_shops
    with (
        tenant_context(first),
        CaptureQueriesContext(connection) as captured,
        Batch() as batch,
    ):
        rows = batch.fetch(CATEGORIES, [])
        batch.fetch("SELECT 1", [])
    assert _names(rows.rows) == ["Bebidas A"]
    assert [q["sql"] for q in captured.captured_queries] == [CATEGORIES, "SELECT 1"]


def test_a_wrapper_sees_every_batched_statement(two_shops):
    first, _second = two_shops
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with tenant_context(first), connection.execute_wrapper(spy), Batch() as batch:
        batch.fetch("SELECT 2", [])
    assert seen == ["SELECT 2"]
