"""The back office shows what people typed: 4.75 with IVA, 1.5 units, 0.750 kg."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import html

from backoffice.catalog.models import Product
from backoffice.display import money_text, quantity_text
from backoffice.inventory.models import StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from tests.catalog.factories import ProductFactory
from tests.catalog.test_product_admin import ADD, change_url, product_form

pytestmark = pytest.mark.django_db

SIX_DECIMALS = re.compile(r"\d\.\d{6}\b")  # 4.130435, 0.000000


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.fromstring(response.content.decode()).text_content().split())


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        ("0.000000", "unit", "0"),
        ("1.500000", "unit", "1.5"),
        ("12.000000", "unit", "12"),
        ("0.750000", "kg", "0.750"),
        ("0.000000", "kg", "0.000"),
        ("0.123400", "kg", "0.1234"),
        ("-2.000000", "unit", "-2"),
    ],
)
def test_quantity_text(value, unit, text):
    assert quantity_text(Decimal(value), unit) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("4.750000", "4.75"), ("0", "0.00"), ("10", "10.00"), ("4.130435", "4.130435")],
)
def test_money_text(value, text):
    assert money_text(Decimal(value)) == text


def test_history_shows_the_price_the_owner_typed(owner_client, business):
    owner_client.post(
        ADD, product_form(owner_client, price_entered="4.75", low_stock_threshold="2")
    )
    with tenant_context(business):
        product = Product.objects.get(code="A-1")
    edit = product_form(
        owner_client,
        url=change_url(product),
        price_entered="4.95",
        low_stock_threshold="1.5",
    )
    assert owner_client.post(change_url(product), edit).status_code == 302
    with tenant_context(business):  # row-level security: only in its business
        product.refresh_from_db()
    # stored without IVA; the gross computed back with the fiscal rounding
    assert product.price == Decimal("4.304348")
    assert product.price_gross == Decimal("4.95")

    history = reverse("admin:catalog_product_history", args=[product.pk])
    text = text_of(owner_client.get(history))

    assert "Precio: 4.75 con IVA arrow_right_alt 4.95 con IVA" in text
    assert "Stock mínimo: 2 arrow_right_alt 1.5" in text
    assert "None" not in text  # no change reason: blank, not "None"
    assert not SIX_DECIMALS.search(text)


def test_change_form_inputs_carry_no_six_decimal_noise(owner_client, tenant):
    product = ProductFactory(
        price=Decimal("4.130435"),
        price_includes_tax=True,
        cost=Decimal("1.700000"),
        low_stock_threshold=Decimal("5.000000"),
    )
    page = owner_client.get(change_url(product)).content.decode()
    assert 'name="price_entered" value="4.75"' in page
    assert 'name="cost" value="1.70"' in page
    assert 'name="low_stock_threshold" value="5"' in page


def stock(business, product, quantity):
    point = Establishment.objects.filter(business=business).first()
    stock_moves_apply(
        business=business,
        moves=[
            MoveInput(
                product_id=product.pk,
                establishment_id=point.pk,
                quantity=Decimal(quantity),
                reason=StockMove.Reason.INITIAL,
            )
        ],
    )


def test_changelists_show_quantities_and_prices_sanely(owner_client, tenant):
    loose = ProductFactory(
        code="QUESO",
        name="Queso",
        unit="kg",
        price=Decimal("4.130435"),
        price_includes_tax=True,
        low_stock_threshold=Decimal("0.5"),
    )
    cans = ProductFactory(code="LATA", name="Lata", price=Decimal("2.5"))
    empty = ProductFactory(code="VACIO", name="Vacío", low_stock_threshold=0)
    stock(tenant, loose, "0.75")
    stock(tenant, cans, "1.5")
    stock(tenant, empty, "0")

    products = text_of(owner_client.get(reverse("admin:catalog_product_changelist")))
    assert "4.75 con IVA" in products and "2.50 sin IVA" in products
    assert "0.750" in products and "1.5" in products

    levels = text_of(owner_client.get(reverse("admin:inventory_stocklevel_changelist")))
    assert "Queso 0.750 0.500" in levels
    assert "Lata 1.5 2" in levels
    assert "Vacío 0 0" in levels
    moves = text_of(owner_client.get(reverse("admin:inventory_stockmove_changelist")))
    assert "0.750" in moves
    move = StockMove.objects.get(product=loose)
    detail = text_of(
        owner_client.get(reverse("admin:inventory_stockmove_change", args=[move.pk]))
    )
    assert "QUESO · Queso +0.75 (inicial)" in detail
    assert "Cantidad 0.750" in detail
    for page in (products, levels, moves, detail):
        assert not SIX_DECIMALS.search(page)
