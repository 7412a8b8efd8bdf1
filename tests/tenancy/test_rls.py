"""PostgreSQL row-level security: raw SQL sees only the current business's rows."""

import pytest
from django.db import connection, transaction

from backoffice.catalog.models import Category
from backoffice.tenancy import rls
from backoffice.tenancy.context import no_tenant, system_context, tenant_context
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.postgres


def raw_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM catalog_category ORDER BY name")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.urls("tests.tenancy.rls_urls")
def test_raw_sql_in_a_request_sees_only_that_business(
    client, two_categories, business, other_business
):
    user_a, user_b = UserFactory(), UserFactory()
    membership(business, user_a, "cashier")
    membership(other_business, user_b, "cashier")
    client.force_login(user_a)
    assert client.get("/raw/").json() == {
        "names": ["Bebidas A"],
        "setting": str(business.pk),
    }
    client.force_login(user_b)
    assert client.get("/raw/").json()["names"] == ["Bebidas B"]


@pytest.mark.urls("tests.tenancy.rls_urls")
def test_raw_sql_in_a_request_without_business_sees_nothing(client, two_categories):
    assert client.get("/raw/").json() == {"names": [], "setting": ""}
    client.force_login(UserFactory())  # logged in, but member of no business
    assert client.get("/raw/").json()["names"] == []


def test_raw_sql_outside_any_context_sees_nothing(two_categories):
    with no_tenant():
        assert raw_names() == []
    with system_context():
        assert raw_names() == ["Bebidas A", "Bebidas B"]


def test_raw_insert_into_another_business_is_refused(two_categories, other_business):
    from django.db.utils import ProgrammingError

    with tenant_context(other_business):
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # In B's context, write a row for another business: refused.
            cursor.execute(
                "INSERT INTO catalog_category (business_id, name, color, icon, "
                "sort_order, is_active, created_at, updated_at) "
                "VALUES (%s, 'Intrusa', '#000000', '', 0, true, now(), now())",
                [other_business.pk + 100000],
            )
        # The savepoint rolled back cleanly and the connection goes on.
        assert raw_names() == ["Bebidas B"]


def test_error_leaving_the_tenant_context_before_the_rollback(
    two_categories, business, other_business
):
    """The error crosses `tenant_context` first, then the savepoint rolls back."""
    from django.db.utils import IntegrityError

    with tenant_context(business):
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            tenant_context(other_business),
        ):
            Category.objects.create(business=other_business, name="Bebidas B")
        assert raw_names() == ["Bebidas A"]
    with tenant_context(other_business):
        assert raw_names() == ["Bebidas B"]


def test_app_role_cannot_bypass_rls(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        assert cursor.fetchone() == (False, False)


def test_every_tenant_table_has_forced_rls(db):
    tables = rls.tenant_tables()
    assert "catalog_category" in tables
    assert "catalog_historicalcategory" in tables  # history rows are tenant data too
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
            "AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity "
            "AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname "
            "AND p.policyname = %s)",
            [rls.POLICY],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(tables) - protected == set()


def test_savepoint_rollback_does_not_leave_a_stale_setting(
    two_categories, business, other_business
):
    # The test runs inside a transaction: A's setting is set in it.
    with tenant_context(business):
        assert raw_names() == ["Bebidas A"]
    # Switch to B inside a savepoint, then roll the savepoint back: PostgreSQL
    # undoes set_config, so the real setting is A again.
    with tenant_context(other_business):
        try:
            with transaction.atomic():
                assert raw_names() == ["Bebidas B"]
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        # Still B's context: must see B (not A's rows through a stale cache).
        assert raw_names() == ["Bebidas B"]
    with tenant_context(business):
        assert raw_names() == ["Bebidas A"]


@pytest.mark.django_db(transaction=True)
def test_rollback_does_not_leave_a_stale_setting(business, other_business):
    with tenant_context(business):
        Category.objects.create(business=business, name="Bebidas A")
    with tenant_context(other_business):
        Category.objects.create(business=other_business, name="Bebidas B")
    # Autocommit: A's setting is committed for the session.
    with tenant_context(business):
        assert raw_names() == ["Bebidas A"]
    with tenant_context(other_business):
        try:
            with transaction.atomic():
                assert raw_names() == ["Bebidas B"]
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert raw_names() == ["Bebidas B"]
    with no_tenant():
        assert raw_names() == []


def test_server_side_cursor_gets_the_right_business(
    two_categories, business, other_business
):
    # QuerySet.iterator() uses a server-side cursor on PostgreSQL.
    with tenant_context(business):
        assert raw_names() == ["Bebidas A"]
    with tenant_context(other_business):
        names = [c.name for c in Category.objects.iterator(chunk_size=1)]
        assert names == ["Bebidas B"]
        assert raw_names() == ["Bebidas B"]
    with tenant_context(business):
        names = [c.name for c in Category.objects.iterator(chunk_size=1)]
        assert names == ["Bebidas A"]
        assert raw_names() == ["Bebidas A"]


def test_policies_read_the_setting_once_per_query(db):
    """The setting is read in scalar sub-selects (InitPlans), not once per row."""
    tables = set(rls.tenant_tables())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, qual, with_check FROM pg_policies WHERE policyname = %s",
            [rls.POLICY],
        )
        policies = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute("EXPLAIN (COSTS OFF) SELECT count(*) FROM pos_sale")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert tables <= set(policies)
    per_row = {
        table
        for table, (qual, check) in policies.items()
        if table in tables
        and not (
            qual == check
            and qual.count("( SELECT ") == qual.count("current_setting(") == 2
        )
    }
    assert per_row == set()
    assert plan.count("InitPlan") == 2


def _forget_fingerprints():
    with connection.cursor() as cursor:
        for table in rls.tenant_tables():
            cursor.execute(f'COMMENT ON POLICY {rls.POLICY} ON "{table}" IS NULL')


def test_applying_current_policies_again_changes_nothing(db):
    assert rls.apply_policies() == []  # migrate already applied them
    _forget_fingerprints()  # as on a database migrated before fingerprints
    changed = rls.apply_policies()
    assert set(changed) == set(rls.tenant_tables())
    assert rls.apply_policies() == []


@pytest.mark.django_db(transaction=True)
def test_a_migrate_never_shows_a_live_connection_an_empty_table(
    business, other_business
):
    """`migrate` re-applying policies while tills sell: another connection
    counting a business's rows must never see zero (between a DROP POLICY and
    its CREATE, a FORCEd table shows no rows) — the policies change in one
    transaction."""
    import threading

    from django.db import connections

    with tenant_context(business):
        Category.objects.create(business=business, name="Bebidas A")
    seen, stop = [], threading.Event()

    def count_rows():
        try:
            with tenant_context(business):
                while not stop.is_set():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT count(*) FROM catalog_category")
                        seen.append(cursor.fetchone()[0])
        finally:
            connections.close_all()

    reader = threading.Thread(target=count_rows)
    reader.start()
    try:
        for _ in range(3):
            _forget_fingerprints()
            assert rls.apply_policies()  # every policy dropped and re-created
    finally:
        stop.set()
        reader.join()
    assert seen and set(seen) == {1}
