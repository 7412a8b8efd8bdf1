"""The checkout's fast writes: INSERT … RETURNING and pipelined statements."""

import pytest
from django.db import IntegrityError, connection, transaction

from backoffice.catalog.models import Category
from core.bulk import execute_send, insert_returning, insert_send, pipelined

pytestmark = pytest.mark.django_db


def test_insert_returning_sets_ids_and_stores_what_the_orm_reads_back(tenant):
    rows = [
        Category(business=tenant, name=name, sort_order=n)
        for n, name in enumerate(["Bebidas", "Postres", "Ñoquis"], 1)
    ]
    with transaction.atomic():
        insert_returning(Category, rows)
    assert all(row.pk and not row._state.adding for row in rows)
    stored = {c.pk: c for c in Category.objects.filter(pk__in=[r.pk for r in rows])}
    for row in rows:
        again = stored[row.pk]
        assert (again.name, again.sort_order, again.color, again.is_active) == (
            row.name,
            row.sort_order,
            "#0f766e",
            True,
        )
        assert again.created_at == row.created_at  # auto_now_add went through


def test_pipelined_results_are_read_after_the_block(tenant):
    with transaction.atomic():
        with pipelined():
            first = insert_send(Category, [Category(business=tenant, name="A")])
            count = execute_send(
                connection,
                "SELECT COUNT(*) FROM catalog_category WHERE name = %s",
                ["A"],
            )
            second = insert_send(Category, [Category(business=tenant, name="B")])
        (a,), (b,) = first(), second()
        assert count() == [(1,)]  # statements ran in order
    assert a.pk < b.pk
    assert set(Category.objects.values_list("name", flat=True)) == {"A", "B"}


@pytest.mark.postgres
def test_a_pipelined_error_is_djangos_and_rolls_everything_back(tenant):
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        insert_send(Category, [Category(business=tenant, name="Única")])
        insert_send(Category, [Category(business=tenant, name="Única")])
    assert not Category.objects.filter(name="Única").exists()
    # the connection is usable afterwards
    assert Category.objects.count() == 0
