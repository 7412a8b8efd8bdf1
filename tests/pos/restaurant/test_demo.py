"""The demo restaurant has a floor, a kitchen and a bar, and a seated table."""

import pytest

from backoffice.tenancy.context import tenant_context
from fixtures.demo import RESTAURANT, load_business
from pos.restaurant.models import Area, KitchenTicket, Order, Station, Table
from pos.restaurant.services.kitchen import Router

pytestmark = pytest.mark.django_db


def test_demo_restaurant_floor_and_routing():
    business = load_business(RESTAURANT)
    load_business(RESTAURANT)  # safe to run again
    with tenant_context(business):
        assert list(Area.objects.values_list("name", flat=True)) == ["Salón", "Terraza"]
        assert Table.objects.count() == 12
        assert Station.objects.count() == 2
        router = Router(business)
        order = Order.objects.get(status="open")
        assert order.table.name == "3"
        stations = {
            i.product.category.name: router.station(i.product).name
            for i in order.items.select_related("product__category")
        }
        assert stations == {
            "Sopas": "Cocina",
            "Platos fuertes": "Cocina",
            "Bebidas": "Bar",
        }
        assert KitchenTicket.objects.count() == 2
