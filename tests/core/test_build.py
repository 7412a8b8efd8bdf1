"""core.sql.build: the checkout's instances through Django's positional
constructor, the same as the keyword constructor builds them."""

from decimal import Decimal

import pytest
from django.db.models.fields import NOT_PROVIDED
from django_tasks_db.models import DBTaskResult

from backoffice.inventory.models import StockMove
from core.sql import build
from fiscal.models import ElectronicDocument
from pos.models import Sale, SaleLine
from tests.factories import BusinessFactory


def attributes(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def comparable(values: dict) -> dict:
    # Callable defaults (uuid4, now) differ per call: compare their types.
    return {
        k: type(v) if k in {"idempotency_key", "posted_at", "id"} else v
        for k, v in values.items()
    }


@pytest.mark.parametrize(
    "model, values",
    [
        (
            SaleLine,
            {
                "business_id": 3,
                "sale_id": 7,
                "position": 2,
                "product_id": 11,
                "name": "Café",
                "quantity": Decimal("1.500"),
                "tax_rate": Decimal("15"),
            },
        ),
        (Sale, {"pk": 41, "business_id": 3, "number": 9, "total": Decimal("4.60")}),
        (ElectronicDocument, {"business_id": 3, "kind": "01", "payload": {"a": 1}}),
        (StockMove, {"business_id": 3, "product_id": 1, "quantity": Decimal("-2")}),
        (DBTaskResult, {"task_path": "fiscal.tasks.x", "priority": 5}),
    ],
)
def test_build_gives_what_the_keyword_constructor_gives(model, values):
    built, made = build(model, **values), model(**values)
    assert comparable(attributes(built)) == comparable(attributes(made))
    assert built._state.adding and built._state.db is None


def test_the_primary_key_goes_in_as_pk():
    assert build(Sale, pk=41).id == 41


def test_callable_defaults_are_called_for_each_instance():
    one, two = build(SaleLine), build(SaleLine)
    assert one.modifiers == [] and two.modifiers == []
    assert one.modifiers is not two.modifiers
    assert build(Sale).idempotency_key != build(Sale).idempotency_key
    assert SaleLine._meta.get_field("modifiers").default is not NOT_PROVIDED


@pytest.mark.django_db
def test_a_related_object_is_set_through_its_descriptor_and_cached():
    business = BusinessFactory()
    sale = build(Sale, pk=5, business=business)
    line = build(SaleLine, sale=sale, business_id=business.pk)
    assert (line.sale_id, line.business_id) == (5, business.pk)
    assert line.sale is sale  # cached: no query
    assert sale.business is business


def test_a_name_that_is_not_a_field_is_refused():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        build(SaleLine, colour="red")
