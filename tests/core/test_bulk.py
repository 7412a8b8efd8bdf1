"""The checkout's fast writes: INSERT … RETURNING and a batch of statements."""

import pytest
from django.db import IntegrityError, connection, transaction

from backoffice.catalog.models import Category
from core.batch import Batch, insert_returning

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


def test_reserved_ids_let_rows_that_point_to_each_other_go_out_together(tenant):
    """`next_ids` reserves a key per model in one statement; rows inserted with
    them in the same batch keep them, and the next reservation is another."""
    from backoffice.catalog.models import Product

    with transaction.atomic():
        with Batch() as reads:
            ids = reads.next_ids(Category, Product)
            found = reads.fetch("SELECT COUNT(*) FROM catalog_category", [])
            with pytest.raises(RuntimeError):
                ids.rows  # noqa: B018 - not before the block ends
        category_id, product_id = ids.first()
        assert found.first() == (0,)
        with Batch() as writes:
            writes.insert(
                Category, [Category(pk=category_id, business=tenant, name="A")]
            )
            writes.insert(
                Product,
                [
                    Product(
                        pk=product_id,
                        business=tenant,
                        code="P1",
                        name="Pan",
                        price=1,
                        category_id=category_id,
                    )
                ],
            )
        with Batch() as again:
            later = again.next_ids(Category)
    product = Product.objects.select_related("category").get(pk=product_id)
    assert product.category.pk == category_id and product.category.name == "A"
    assert later.first()[0] > category_id


def test_a_batch_refuses_instances_with_and_without_keys_mixed(tenant):
    with transaction.atomic(), pytest.raises(ValueError), Batch() as batch:
        batch.insert(
            Category,
            [Category(pk=10**9, business=tenant, name="A"), Category(business=tenant)],
        )
