"""Restaurant modifiers: they add to the unit price and to the line's name."""

from decimal import Decimal

import pytest

from backoffice.catalog.models import ModifierGroup, ModifierOption
from backoffice.tenancy.context import tenant_context
from pos.errors import UnknownModifierError
from pos.services import LineIn, PaymentIn, sale_post
from tests.pos.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def burger(business):
    product = make_product(business, code="HB", name="Hamburguesa", price="5.00")
    with tenant_context(business):
        group = ModifierGroup.objects.create(business=business, name="Extras")
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
        )


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
