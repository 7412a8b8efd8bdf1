"""Restaurant modifiers: they add to the unit price and to the line's name."""

from decimal import Decimal

import pytest

from backoffice.catalog.models import ModifierGroup, ModifierOption
from backoffice.tenancy.context import tenant_context
from pos.errors import InvalidModifiersError, UnknownModifierError
from pos.models import Sale
from pos.services import LineIn, PaymentIn, sale_post, sale_quote
from tests.pos.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def burger(business):
    product = make_product(business, code="HB", name="Hamburguesa", price="5.00")
    with tenant_context(business):
        group = ModifierGroup.objects.create(
            business=business, name="Extras", max_choices=2
        )
        group.products.add(product)
        cheese = ModifierOption.objects.create(
            business=business, group=group, name="Queso", price_delta=D("0.50")
        )
        bacon = ModifierOption.objects.create(
            business=business, group=group, name="Tocino", price_delta=D("1.00")
        )
    return product, cheese, bacon


def _post(business, point, cashier, product_id, options, key):
    with tenant_context(business):
        return sale_post(
            business=business,
            point=point,
            cashier=cashier,
            lines=[LineIn(product_id, D("2"), modifier_ids=tuple(options))],
            payments=[PaymentIn("01", D("40"))],
            key=key,
        ).sale


def test_modifiers_add_price_and_name(business, point, cashier, session, burger):
    import uuid

    product, cheese, bacon = burger
    sale = _post(
        business, point, cashier, product.pk, [cheese.pk, bacon.pk], uuid.uuid4()
    )
    with tenant_context(business):
        line = sale.lines.get()
    assert line.unit_price == D("6.500000")
    assert line.name == "Hamburguesa (Queso, Tocino)"
    assert line.base == D("13.00") and line.tax == D("1.95")
    assert [m["name"] for m in line.modifiers] == ["Queso", "Tocino"]


def test_option_of_another_product_or_business_is_refused(
    business, other_business, point, cashier, session, burger
):
    import uuid

    product, cheese, _bacon = burger
    plain = make_product(business, code="AG", name="Agua", price="1.00")
    with pytest.raises(UnknownModifierError):
        _post(business, point, cashier, plain.pk, [cheese.pk], uuid.uuid4())
    with tenant_context(other_business):
        group = ModifierGroup.objects.create(business=other_business, name="X")
        foreign = ModifierOption.objects.create(
            business=other_business, group=group, name="Y"
        )
    with pytest.raises(UnknownModifierError):
        _post(business, point, cashier, product.pk, [foreign.pk], uuid.uuid4())


@pytest.fixture
def steak(business):
    """A steak whose "Término" must be chosen once; "Salsas" allows up to 2."""
    product = make_product(business, code="LOMO", name="Lomo", price="10.00")
    with tenant_context(business):
        doneness = ModifierGroup.objects.create(
            business=business, name="Término de la carne", min_choices=1, max_choices=1
        )
        sauces = ModifierGroup.objects.create(
            business=business, name="Salsas", min_choices=0, max_choices=2
        )
        doneness.products.add(product)
        sauces.products.add(product)
        options = {
            name: ModifierOption.objects.create(
                business=business, group=group, name=name
            )
            for group, name in [
                (doneness, "Tres cuartos"),
                (doneness, "Bien cocido"),
                (sauces, "Chimichurri"),
                (sauces, "Ají"),
                (sauces, "BBQ"),
            ]
        }
    return product, {name: o.pk for name, o in options.items()}


@pytest.mark.parametrize(
    ("names", "group"),
    [
        ([], "Término de la carne"),
        (["Chimichurri"], "Término de la carne"),
        (["Tres cuartos", "Bien cocido"], "Término de la carne"),
        (["Tres cuartos", "Chimichurri", "Ají", "BBQ"], "Salsas"),
    ],
)
def test_group_min_and_max_are_enforced(
    business, point, cashier, session, steak, names, group
):
    import uuid

    product, ids = steak
    with pytest.raises(InvalidModifiersError) as refused:
        _post(
            business, point, cashier, product.pk, [ids[n] for n in names], uuid.uuid4()
        )
    assert refused.value.field == "lines[0].modifiers"
    assert refused.value.code == "invalid_modifiers"
    assert group in refused.value.message
    with tenant_context(business):
        assert not Sale.objects.filter(business=business).exists()


def test_choices_within_min_and_max_sell(business, point, cashier, session, steak):
    import uuid

    product, ids = steak
    sale = _post(
        business,
        point,
        cashier,
        product.pk,
        [ids["Bien cocido"], ids["Ají"], ids["BBQ"]],
        uuid.uuid4(),
    )
    with tenant_context(business):
        line = sale.lines.get()
    assert line.name == "Lomo (Bien cocido, Ají, BBQ)"


def test_quote_enforces_the_groups_too(business, steak):
    product, _ids = steak
    with tenant_context(business), pytest.raises(InvalidModifiersError):
        sale_quote(business=business, lines=[LineIn(product.pk, D("1"))])


def test_api_answers_400_naming_the_group(business, cashier, session, steak, client):
    import uuid

    product, ids = steak
    client.force_login(cashier)
    response = client.post(
        "/pos/api/sales",
        {
            "idempotency_key": str(uuid.uuid4()),
            "lines": [
                {"product": product.pk, "quantity": "1", "modifiers": [ids["Ají"]]}
            ],
            "payments": [{"method": "01", "amount": "20.00"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_modifiers"
    assert body["field"] == "lines[0].modifiers"
    assert "Término de la carne" in body["detail"]


def test_checkout_query_count_is_unchanged_by_modifier_groups(
    business, point, cashier, session, steak, django_assert_max_num_queries
):
    import uuid

    product, ids = steak
    plain = make_product(business, code="AG2", name="Agua", price="1.00")
    _post(business, point, cashier, plain.pk, [], uuid.uuid4())  # sequence row made
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain_sale:
        _post(business, point, cashier, plain.pk, [], uuid.uuid4())
    with django_assert_max_num_queries(len(plain_sale.captured_queries) + 1):
        # +1: the options' own read, only when options were chosen.
        _post(business, point, cashier, product.pk, [ids["Bien cocido"]], uuid.uuid4())
