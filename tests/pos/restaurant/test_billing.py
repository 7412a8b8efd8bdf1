"""The bill: splits, service charge as propina, one sale per part, the table frees."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.tenancy.context import tenant_context
from core.money import ZERO
from fiscal.models import ElectronicDocument
from pos.restaurant import services
from pos.restaurant.errors import BillError, ItemError
from pos.restaurant.models import Order
from pos.restaurant.services.billing import PartLine, part_lines
from pos.services import PaymentIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(business, menu, waiter):
    with tenant_context(business):
        order = services.table_open(
            business=business, table_id=menu.tables[4].pk, user=waiter
        )
        for product, mods, seat in (
            (menu.seco, [menu.queso.pk], 1),
            (menu.churrasco, [menu.medio.pk, menu.huevo.pk], 2),
            (menu.jugo, [], 1),
            (menu.jugo, [], 2),
        ):
            services.item_add(
                business=business,
                order_id=order.pk,
                user=waiter,
                product_id=product.pk,
                modifier_ids=mods,
                seat=seat,
            )
        services.order_send(business=business, order_id=order.pk, user=waiter)
        return order


def pay(business, part, point, cashier, method="01", amount="100.00"):
    with tenant_context(business):
        return services.part_pay(
            business=business,
            part_id=part.pk,
            point=point,
            cashier=cashier,
            payments=[PaymentIn(method, Decimal(amount))],
        )


def test_split_by_items_with_service_two_sales_table_free(
    business, menu, order, point, cashier, session
):
    with tenant_context(business):
        items = list(order.items.order_by("pk"))
        parts = services.bill_split(
            business=business,
            order_id=order.pk,
            mode="items",
            groups=[[items[0].pk, items[2].pk], [items[1].pk, items[3].pk]],
        )
        by_id = {i.pk: i for i in items}
        expected = [
            services.bill_totals(
                business=business, lines=part_lines(p, by_id), service=True
            )
            for p in parts
        ]
    # seco 10 + queso 0.80 + jugo 2.50 = 13.30 base; IVA 15 % 2.00; servicio 1.33
    assert expected[0].total == Decimal("16.63")
    assert expected[0].service_charge == Decimal("1.33")
    first = pay(business, parts[0], point, cashier, "01", "20.00")
    with tenant_context(business):
        assert Order.objects.get(business=business, pk=order.pk).status == "open"
    second = pay(business, parts[1], point, cashier, "19", str(expected[1].total))
    assert [first.total, second.total] == [e.total for e in expected]
    assert first.service_charge == Decimal("1.33")
    assert first.change == Decimal("3.37")
    assert first.pk != second.pk
    with tenant_context(business):
        order.refresh_from_db()
        assert order.status == "closed"
        assert ElectronicDocument.objects.filter(business=business).count() == 2
        # A retried payment of a paid part returns the same sale.
        assert pay(business, parts[1], point, cashier, "19", "1.00").pk == second.pk
        # The table is free: opening it starts a new order.
        again = services.table_open(
            business=business, table_id=menu.tables[4].pk, user=cashier
        )
    assert again.pk != order.pk


def test_service_charge_removable_per_bill(business, order, point, cashier, session):
    with tenant_context(business):
        (part,) = services.bill_split(
            business=business, order_id=order.pk, mode="whole", service=False
        )
    sale = pay(business, part, point, cashier)
    assert sale.service_charge == ZERO
    business.refresh_from_db()
    assert business.service_charge_rate == Decimal("10")  # the setting is untouched


def test_split_by_seat_and_bad_plans(business, order):
    with tenant_context(business):
        parts = services.bill_split(business=business, order_id=order.pk, mode="seat")
        assert [p.label for p in parts] == ["Puesto 1", "Puesto 2"]
        assert [len(p.lines) for p in parts] == [2, 2]
        first = order.items.order_by("pk").first()
        with pytest.raises(ItemError):  # not every item assigned
            services.bill_split(
                business=business,
                order_id=order.pk,
                mode="items",
                groups=[[first.pk]],
            )
        with pytest.raises(ItemError):
            services.bill_split(
                business=business, order_id=order.pk, mode="equal", parts=1
            )
        assert order.parts.count() == 2  # a refused plan changes nothing


def test_a_paid_part_freezes_the_order(
    business, menu, waiter, order, point, cashier, session
):
    with tenant_context(business):
        parts = services.bill_split(
            business=business, order_id=order.pk, mode="equal", parts=3
        )
    pay(business, parts[0], point, cashier)
    with tenant_context(business):
        with pytest.raises(BillError):
            services.item_add(
                business=business,
                order_id=order.pk,
                user=waiter,
                product_id=menu.jugo.pk,
            )
        with pytest.raises(BillError):
            services.bill_split(business=business, order_id=order.pk, mode="whole")


def test_equal_parts_posted_sum_to_the_bill(business, order, point, cashier, session):
    with tenant_context(business):
        parts = services.bill_split(
            business=business, order_id=order.pk, mode="equal", parts=3
        )
        by_id = {i.pk: i for i in order.items.all()}
        shown = [
            services.bill_totals(
                business=business, lines=part_lines(p, by_id), service=True
            ).total
            for p in parts
        ]
        bill = services.bill_totals(
            business=business,
            lines=[PartLine(i, i.quantity) for i in by_id.values()],
            service=True,
        ).total
    sales = [pay(business, p, point, cashier) for p in parts]
    assert [s.total for s in sales] == shown
    assert sum(s.total for s in sales) == bill


def _item(pk, quantity, price, tax="4"):
    return SimpleNamespace(
        pk=pk, quantity=Decimal(quantity), unit_price=Decimal(price), tax_code=tax
    )


quantities = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(40), places=3)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(300), places=6)
rows = st.tuples(quantities, prices, st.sampled_from(["0", "4", "5"]))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(rows, min_size=1, max_size=8),
    st.integers(min_value=2, max_value=12),
    st.sampled_from([Decimal(0), Decimal(10), Decimal("12.5")]),
)
def test_equal_parts_sum_exactly_to_the_bill(rows, n, service_rate):
    """Σ of the N parts' facturas = the one bill's total, for any lines and N."""
    items = [_item(i, q, p, t) for i, (q, p, t) in enumerate(rows)]
    parts = services.split_equal(items, n, service_rate=service_rate)
    business = SimpleNamespace(service_charge_rate=service_rate)
    whole = services.bill_totals(
        business=business, lines=[PartLine(i, i.quantity) for i in items], service=True
    )
    split = [
        services.bill_totals(business=business, lines=p, service=True) for p in parts
    ]
    assert sum(s.total for s in split) == whole.total
    assert sum(s.tax for s in split) == whole.tax
    assert sum(s.service_charge for s in split) == whole.service_charge
    for item in items:  # nothing consumed is lost or invented either
        shares = [pl.quantity for part in parts for pl in part if pl.item is item]
        assert sum(shares) == item.quantity and all(s > 0 for s in shares)
    assert 1 <= len(parts) <= n
    if whole.total >= n:  # big enough to cut: N parts, each near the N-th
        grid = Decimal("0.40") * len({i.tax_code for i in items})
        assert len(parts) == n
        for s in split:
            assert abs(s.total - whole.total / n) <= grid * (
                1 + service_rate / 100 + Decimal("0.15")
            ) + Decimal("0.02")


def test_equal_parts_example():
    items = [_item(1, "1", "10"), _item(2, "2", "2.5"), _item(3, "1", "1.2", "0")]
    parts = services.split_equal(items, 3, service_rate=Decimal(10))
    business = SimpleNamespace(service_charge_rate=Decimal(10))
    totals = [
        services.bill_totals(business=business, lines=p, service=True).total
        for p in parts
    ]
    # 15.00 at 15 % + 1.20 at 0 %; servicio 1.62: 16.20 + 2.25 + 1.62 = 20.07,
    # three parts of 5.40 + 0.75 IVA + 0.54 servicio each.
    assert totals == [Decimal("6.69")] * 3
    assert sum(totals) == Decimal("20.07")


def test_a_new_restaurant_charges_10_percent_service(db):
    from backoffice.tenancy.services import business_register
    from tests.factories import valid_ruc

    _user, restaurant = business_register(
        email="dueno@example.ec",
        password="x-Secreta-123",
        ruc=valid_ruc(),
        razon_social="Picantería S.A.",
        mode="restaurant",
    )
    _user, shop = business_register(
        email="tienda@example.ec",
        password="x-Secreta-123",
        ruc=valid_ruc(),
        razon_social="Tienda S.A.",
        mode="retail",
    )
    assert restaurant.service_charge_rate == Decimal("10")
    assert shop.service_charge_rate == 0
