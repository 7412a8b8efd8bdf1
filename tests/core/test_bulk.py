"""The checkout's fast writes: INSERT … RETURNING and a batch of statements."""

import pytest
from django.db import IntegrityError, connection, transaction

from backoffice.catalog.models import Category
from core.bulk import Batch, insert_returning

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


def test_a_batch_runs_in_order_and_reads_results_when_it_ends(tenant):
    seen = []
    with transaction.atomic():
        with Batch() as batch:
            first = batch.insert(Category, [Category(business=tenant, name="A")])
            batch.execute(
                "SELECT COUNT(*) FROM catalog_category WHERE name = %s",
                ["A"],
                then=seen.append,
            )
            second = batch.insert(Category, [Category(business=tenant, name="B")])
            if connection.vendor == "postgresql":
                assert first[0].pk is None  # not read yet: still in the pipeline
        (a,), (b,) = first, second
        assert seen == [[(1,)]]  # statements ran in order
    assert a.pk < b.pk
    assert set(Category.objects.values_list("name", flat=True)) == {"A", "B"}


def test_a_batch_left_by_an_error_runs_no_then(tenant):
    seen = []
    with pytest.raises(ZeroDivisionError), transaction.atomic(), Batch() as batch:
        batch.execute("SELECT 1", [], then=seen.append)
        1 / 0  # noqa: B018 - the error under test
    assert seen == []


@pytest.mark.postgres
def test_a_batched_error_is_djangos_and_rolls_everything_back(tenant):
    with pytest.raises(IntegrityError), transaction.atomic(), Batch() as batch:
        batch.insert(Category, [Category(business=tenant, name="Única")])
        batch.insert(Category, [Category(business=tenant, name="Única")])
    assert not Category.objects.filter(name="Única").exists()
    # the connection is usable afterwards
    assert Category.objects.count() == 0
