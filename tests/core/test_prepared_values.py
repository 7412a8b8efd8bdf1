"""core.bulk.prepared_values gives each field the value Django's own
`pre_save` + `get_db_prep_save` gives it, on the backend the tests run on:
the short cuts (plain types, finite Decimals, native UUIDs, one auto_now
instant per call) change nothing that reaches the database."""

import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from core.bulk import prepared_values
from pos.models import Sale, SaleLine

MONEY = st.decimals(min_value=Decimal("-999999"), max_value=Decimal("999999"), places=2)


def _django_values(obj, fields) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _line(**values) -> SaleLine:
    return SaleLine(
        business_id=1,
        sale_id=2,
        position=1,
        product_id=3,
        code="CAFE",
        name="Café",
        modifiers=[{"name": "Leche", "price": "0.50"}],
        **values,
    )


def _sale(**values) -> Sale:
    return Sale(
        business_id=1,
        idempotency_key=uuid.uuid4(),
        request_hash="ab" * 32,
        establishment_id=4,
        emission_point_id=5,
        number=7,
        document_number="001-001-000000007",
        posted_at=timezone.now(),
        cashier_id=6,
        **values,
    )


def _plain(value):
    """A JSON value as the driver will send it (psycopg wraps it in Jsonb)."""
    return getattr(value, "obj", value)


def _same(ours, django, fields) -> None:
    for field, mine, theirs in zip(fields, ours, django, strict=True):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            # Each call takes its own instant: the same kind of value.
            assert type(mine) is type(theirs), field.name
        else:
            # Django wraps integers for psycopg (Int4 is an int): the same value.
            assert isinstance(theirs, type(mine)), field.name
            assert _plain(mine) == _plain(theirs), field.name


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(quantity=MONEY, price=MONEY, base=MONEY, tax=MONEY, note=st.text(max_size=20))
def test_a_sale_lines_values_are_djangos(quantity, price, base, tax, note):
    line = _line(
        quantity=quantity,
        unit_price=price,
        discount=Decimal("0.00"),
        tax_code="4",
        tax_rate=Decimal("15.00"),
        base=base,
        tax=tax,
        note=note,
    )
    fields = SaleLine._meta.concrete_fields
    ours = prepared_values([line], fields, connection, add=True)[0]
    _same(ours, _django_values(line, fields), fields)


@pytest.mark.django_db
def test_a_sales_values_are_djangos_and_its_instants_are_one():
    sale = _sale(subtotal=Decimal("10.00"), tax_total=Decimal("1.50"))
    fields = Sale._meta.concrete_fields
    ours = prepared_values([sale], fields, connection, add=True)[0]
    _same(ours, _django_values(sale, fields), fields)
    created = fields.index(Sale._meta.get_field("created_at"))
    updated = fields.index(Sale._meta.get_field("updated_at"))
    assert ours[created] == ours[updated]  # one instant per call
    assert isinstance(sale.created_at, datetime) and sale.created_at.tzinfo


@pytest.mark.django_db
def test_values_that_are_not_plain_go_through_django():
    # A float where a Decimal belongs, a string UUID, a NaN: Django converts
    # (or refuses) them; the short cut must not pass them on unconverted.
    line = _line(quantity=Decimal("2"), unit_price=Decimal("1.5"), base=Decimal("3"))
    line.tax = 0.25
    sale = _sale()
    sale.idempotency_key = str(uuid.uuid4())
    fields = SaleLine._meta.concrete_fields
    ours = prepared_values([line], fields, connection, add=True)[0]
    _same(ours, _django_values(line, fields), fields)
    sale_fields = Sale._meta.concrete_fields
    ours = prepared_values([sale], sale_fields, connection, add=True)[0]
    _same(ours, _django_values(sale, sale_fields), sale_fields)
    line.tax = Decimal("NaN")
    with pytest.raises(ValidationError):
        prepared_values([line], fields, connection, add=True)


@pytest.mark.django_db
def test_plans_stay_bounded_for_callers_that_build_new_field_lists():
    from core import bulk

    line = _line(quantity=Decimal("1"), unit_price=Decimal("1"), base=Decimal("1"))
    for _ in range(bulk._CACHE_MAX + 50):
        fields = list(SaleLine._meta.concrete_fields)  # a new list each time
        row = prepared_values([line], fields, connection, add=True)[0]
    assert len(bulk._PLANS_PREPARED) <= bulk._CACHE_MAX + 1
    assert row[fields.index(SaleLine._meta.get_field("code"))] == "CAFE"


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["Sale", "SaleLine", "ElectronicDocument"])
def test_none_and_dates_are_djangos(model_name):
    """None skips preparation only where Django makes it NULL too: every
    field left unset (a document's many unset dates), then set dates, which
    still go through Django (SQLite stores them as text)."""
    from datetime import date

    from fiscal.models import ElectronicDocument

    model = {
        "Sale": Sale,
        "SaleLine": SaleLine,
        "ElectronicDocument": ElectronicDocument,
    }[model_name]
    fields = model._meta.concrete_fields
    obj = model()
    for field in fields:
        if not field.primary_key:
            setattr(obj, field.attname, None)
    ours = prepared_values([obj], fields, connection, add=True)[0]
    _same(ours, _django_values(obj, fields), fields)
    assert sum(value is None for value in ours) >= len(fields) - 3
    for field in fields:
        if type(field).__name__ == "DateField":
            setattr(obj, field.attname, date(2026, 12, 1))
        elif type(field).__name__ == "DateTimeField":
            setattr(obj, field.attname, timezone.now())
    ours = prepared_values([obj], fields, connection, add=True)[0]
    _same(ours, _django_values(obj, fields), fields)
