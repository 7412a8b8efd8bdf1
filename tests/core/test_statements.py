"""Every hand-written statement (core.sql) against the migrated schema.

Each registered statement is rendered as its module renders it and prepared
by the database (EXPLAIN compiles it: an unknown table or column fails)
with its example parameters, on SQLite here and on PostgreSQL in CI, so a
migration that renames a column breaks this test on both databases.
"""

import pytest
from django.db import DatabaseError, connection, transaction

import backoffice.inventory.services  # noqa: F401 - registers the stock upsert
import backoffice.tenancy.selectors  # noqa: F401 - the membership read
import backoffice.tenancy.sessions  # noqa: F401 - the session read
import fiscal.numbering  # noqa: F401 - registers the numbering
import pos.selectors  # noqa: F401 - the emission point read
import pos.services  # noqa: F401 - registers the checkout's reads
from backoffice.catalog.models import Product
from core.sql import STATEMENTS, Sql

pytestmark = pytest.mark.django_db

CHECKOUT = {
    "session_load",
    "membership_active",
    "emission_point_for_checkout",
    "sale_by_key",
    "cash_session_and_final_consumer",
    "cart_products",
    "document_number_next",
    "stock_levels_upsert",
}


def _prepare(statement: Sql) -> None:
    parts, params = statement.example(connection.vendor)
    sql = statement.render(connection, **parts)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        assert cursor.fetchall()


def test_every_checkout_statement_is_registered():
    assert set(STATEMENTS) >= CHECKOUT


@pytest.mark.parametrize("name", sorted(CHECKOUT))
def test_statement_prepares_against_the_migrated_schema(name, tenant):
    _prepare(STATEMENTS[name])


def test_a_column_the_schema_lacks_fails_to_prepare(tenant):
    drifted = Sql(
        "test_drifted",
        "SELECT {Product.id}, stock_minimo FROM {Product} "
        "WHERE {Product.business} = %s",
        models=(Product,),
        example=lambda vendor: ({}, [0]),
    )
    try:
        with pytest.raises(DatabaseError):
            _prepare(drifted)
    finally:
        del STATEMENTS["test_drifted"]


def test_names_come_from_model_metadata():
    statement = STATEMENTS["document_number_next"]
    sql = statement.render(connection)
    quote = connection.ops.quote_name
    assert f"UPDATE {quote('fiscal_documentsequence')} SET" in sql
    assert quote("last_number") in sql and "{" not in sql
    with pytest.raises(Exception, match="has no field named 'nope'"):
        Sql(
            "test_unknown_field",
            "SELECT {Product.nope} FROM {Product}",
            models=(Product,),
            example=lambda vendor: ({}, []),
        ).render(connection)
    del STATEMENTS["test_unknown_field"]
