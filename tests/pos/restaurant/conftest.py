"""A small restaurant: two areas, tables, a kitchen and a bar, dishes with modifiers."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from backoffice.catalog.models import Category, ModifierGroup, ModifierOption
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Business
from pos.restaurant.models import Area, Station, StationRoute, Table
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product


@dataclass
class Menu:
    seco: object
    churrasco: object
    jugo: object
    helado: object
    term: object  # «Término» group (min 1, max 1)
    medio: object
    bien: object
    huevo: object  # «Extras» option (min 0, max 2)
    aguacate: object
    queso: object
    kitchen: object
    bar: object
    tables: list


def build_restaurant(business) -> Menu:
    with tenant_context(business):
        Business.objects.filter(pk=business.pk).update(
            mode=Business.Mode.RESTAURANT, service_charge_rate=Decimal("10")
        )
        business.refresh_from_db()
        food = Category.objects.create(business=business, name="Platos")
        drinks = Category.objects.create(business=business, name="Bebidas")
        seco = make_product(business, code="SECO", name="Seco de chivo", price="10.00")
        churrasco = make_product(
            business, code="CHUR", name="Churrasco", price="12.00", tax="4"
        )
        jugo = make_product(business, code="JUGO", name="Jugo de mora", price="2.50")
        helado = make_product(
            business, code="HEL", name="Helado de paila", price="3.00"
        )
        for p, c in ((seco, food), (churrasco, food), (helado, food), (jugo, drinks)):
            p.category = c
            p.save(update_fields=["category"])
        term = ModifierGroup.objects.create(
            business=business, name="Término", min_choices=1, max_choices=1
        )
        extras = ModifierGroup.objects.create(
            business=business, name="Extras", min_choices=0, max_choices=2
        )
        term.products.add(churrasco)
        extras.products.add(churrasco, seco)
        opt = {}
        for group, name, delta in (
            (term, "Medio", "0"),
            (term, "Bien cocido", "0"),
            (extras, "Huevo", "1.00"),
            (extras, "Aguacate", "1.50"),
            (extras, "Queso", "0.80"),
        ):
            opt[name] = ModifierOption.objects.create(
                business=business, group=group, name=name, price_delta=Decimal(delta)
            )
        kitchen = Station.objects.create(
            business=business, name="Cocina", kind="cocina", is_default=True
        )
        bar = Station.objects.create(business=business, name="Bar", kind="bar")
        StationRoute.objects.create(business=business, station=bar, category=drinks)
        salon = Area.objects.create(business=business, name="Salón")
        tables = [
            Table.objects.create(
                business=business, area=salon, name=str(n), seats=4, x=n * 15, y=30
            )
            for n in range(1, 7)
        ]
        return Menu(
            seco,
            churrasco,
            jugo,
            helado,
            term,
            opt["Medio"],
            opt["Bien cocido"],
            opt["Huevo"],
            opt["Aguacate"],
            opt["Queso"],
            kitchen,
            bar,
            tables,
        )


@pytest.fixture
def menu(business):
    return build_restaurant(business)


@pytest.fixture
def waiter(business):
    user = UserFactory()
    membership(business, user, "waiter")
    return user


@pytest.fixture
def manager(business):
    user = UserFactory()
    membership(business, user, "manager")
    return user
