"""Posted documents are insert-only, in the models and (PostgreSQL) in the database."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from backoffice.tenancy.context import tenant_context
from pos.models import ImmutableError, Payment, Sale, SaleLine, SaleTax

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale(post, product):
    return post([(product, 1)])


def test_model_save_of_a_posted_sale_is_refused(business, sale):
    with tenant_context(business):
        sale.total = Decimal("0")
        with pytest.raises(ImmutableError):
            sale.save()
        assert Sale.objects.get(pk=sale.pk).total == Decimal("2.30")


@pytest.mark.parametrize("model", [Sale, SaleLine, Payment, SaleTax])
def test_model_delete_and_queryset_update_are_refused(business, sale, model):
    with tenant_context(business):
        row = model.objects.first()
        with pytest.raises(ImmutableError):
            row.delete()
        with pytest.raises(ImmutableError):
            model.objects.all().delete()
        with pytest.raises(ImmutableError):
            model.objects.all().update(created_at=None)
        assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("table", "statement"),
    [
        ("pos_sale", "UPDATE pos_sale SET total = 0"),
        ("pos_sale", "DELETE FROM pos_sale"),
        ("pos_saleline", "UPDATE pos_saleline SET quantity = 99"),
        ("pos_saleline", "DELETE FROM pos_saleline"),
        ("pos_payment", "UPDATE pos_payment SET amount = 1"),
        ("pos_payment", "DELETE FROM pos_payment"),
        ("pos_saletax", "UPDATE pos_saletax SET tax = 0"),
    ],
)
def test_raw_sql_update_or_delete_fails_on_postgresql(business, sale, table, statement):
    with tenant_context(business):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the test's own list
            assert cursor.fetchone()[0] >= 1
            cursor.execute("SELECT total FROM pos_sale WHERE id = %s", [sale.pk])
            assert cursor.fetchone()[0] == Decimal("2.30")


@pytest.mark.postgres
def test_row_level_security_hides_other_business_sales(business, other_business, sale):
    tables = [
        "pos_sale",
        "pos_saleline",
        "pos_payment",
        "pos_saletax",
        "pos_cashsession",
    ]
    for tenant, expected in ((business, 1), (other_business, 0)):
        with tenant_context(tenant), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the test's own list
                assert cursor.fetchone()[0] == expected, (table, tenant)
