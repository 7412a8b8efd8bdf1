"""Orders: items with modifiers, sends to the kitchen, cancels, moves and merges."""

from decimal import Decimal

import pytest

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Membership
from pos.errors import VoidNotAllowedError
from pos.restaurant import services
from pos.restaurant.errors import (
    BillError,
    ItemError,
    TableBusyError,
    VersionConflictError,
)
from pos.restaurant.models import KitchenTicket, Order, OrderItem
from pos.services import supervisor_pin_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(business, menu, waiter):
    with tenant_context(business):
        return services.table_open(
            business=business, table_id=menu.tables[4].pk, user=waiter
        )


def add(business, order, user, product, **kw):
    with tenant_context(business):
        return services.item_add(
            business=business, order_id=order.pk, user=user, product_id=product.pk, **kw
        )


def send(business, order, user):
    with tenant_context(business):
        return services.order_send(business=business, order_id=order.pk, user=user)


def test_open_table_twice_returns_the_same_order(business, menu, waiter, order):
    with tenant_context(business):
        again = services.table_open(
            business=business, table_id=menu.tables[4].pk, user=waiter
        )
    assert again.pk == order.pk


def test_modifiers_min_and_max_are_enforced(business, menu, waiter, order):
    with pytest.raises(ItemError, match="Término"):
        add(business, order, waiter, menu.churrasco)  # min 1
    with pytest.raises(ItemError, match="Término"):
        add(
            business,
            order,
            waiter,
            menu.churrasco,
            modifier_ids=[menu.medio.pk, menu.bien.pk],
        )
    with pytest.raises(ItemError, match="Extras"):
        add(
            business,
            order,
            waiter,
            menu.churrasco,
            modifier_ids=[
                menu.medio.pk,
                menu.huevo.pk,
                menu.aguacate.pk,
                menu.queso.pk,
            ],
        )
    with pytest.raises(ItemError):  # an option of a group the juice does not have
        add(business, order, waiter, menu.jugo, modifier_ids=[menu.huevo.pk])
    item = add(
        business,
        order,
        waiter,
        menu.churrasco,
        modifier_ids=[menu.medio.pk, menu.huevo.pk],
        note="sin cebolla",
        seat=2,
        course=2,
    )
    assert item.unit_price == Decimal("13.000000")
    assert item.name == "Churrasco (Medio, Huevo)"
    assert (item.note, item.seat, item.course) == ("sin cebolla", 2, 2)
    with tenant_context(business):
        assert OrderItem.objects.filter(business=business).count() == 1


def test_send_only_new_items_one_ticket_per_station(business, menu, waiter, order):
    add(business, order, waiter, menu.seco)
    add(business, order, waiter, menu.churrasco, modifier_ids=[menu.medio.pk])
    add(business, order, waiter, menu.jugo, quantity=2)
    tickets = send(business, order, waiter)
    with tenant_context(business):
        by_station = {
            t.station.name: [ln.name for ln in t.lines.all()] for t in tickets
        }
    assert by_station == {
        "Cocina": ["Seco de chivo", "Churrasco (Medio)"],
        "Bar": ["Jugo de mora"],
    }
    assert send(business, order, waiter) == []  # nothing new: nothing sent
    add(business, order, waiter, menu.helado)
    (dessert,) = send(business, order, waiter)
    with tenant_context(business):
        assert [ln.name for ln in dessert.lines.all()] == ["Helado de paila"]
        assert KitchenTicket.objects.filter(business=business).count() == 3
        assert set(order.items.values_list("state", flat=True)) == {"sent"}


def test_sent_item_changes_only_by_cancel_with_reason(business, menu, waiter, order):
    item = add(business, order, waiter, menu.jugo)
    send(business, order, waiter)
    with tenant_context(business):
        order.refresh_from_db()
        with pytest.raises(ItemError):
            services.item_change(
                business=business,
                order_id=order.pk,
                item_id=item.pk,
                version=order.version,
                quantity=3,
            )
        with pytest.raises(ItemError, match="motivo"):
            services.item_cancel(
                business=business,
                order_id=order.pk,
                item_id=item.pk,
                actor=waiter,
                reason=" ",
            )
        services.item_cancel(
            business=business,
            order_id=order.pk,
            item_id=item.pk,
            actor=waiter,
            reason="cliente se arrepintió",
        )
        item.refresh_from_db()
        cancel = KitchenTicket.objects.get(business=business, kind="cancel")
        assert cancel.lines.get().note == "cliente se arrepintió"
    assert item.state == "cancelled"
    assert cancel.station_id == menu.bar.pk


def test_cancel_above_the_limit_needs_a_manager_pin(
    business, menu, waiter, manager, order
):
    item = add(business, order, waiter, menu.seco, quantity=2)  # 23.00 > 5.00
    send(business, order, waiter)
    with tenant_context(business):
        supervisor_pin_set(
            business=business,
            membership=Membership.objects.get(business=business, user=manager),
            pin="432198",
        )
        kwargs = {
            "business": business,
            "order_id": order.pk,
            "item_id": item.pk,
            "actor": waiter,
            "reason": "se quemó",
        }
        with pytest.raises(VoidNotAllowedError):
            services.item_cancel(**kwargs)
        with pytest.raises(VoidNotAllowedError):
            services.item_cancel(**kwargs, supervisor_pin="000000")
        assert OrderItem.objects.get(business=business, pk=item.pk).state == "sent"
        services.item_cancel(**kwargs, supervisor_pin="432198")
        item.refresh_from_db()
    assert item.state == "cancelled"
    assert item.cancelled_by == manager


def test_stale_version_is_refused_but_adds_never_are(business, menu, waiter, order):
    version = order.version
    a = add(business, order, waiter, menu.seco)
    add(business, order, waiter, menu.jugo)  # the other device: both lines kept
    with tenant_context(business):
        with pytest.raises(VersionConflictError):
            services.item_change(
                business=business,
                order_id=order.pk,
                item_id=a.pk,
                version=version,
                quantity=2,
            )
        assert order.items.count() == 2
        order.refresh_from_db()
        services.item_change(
            business=business,
            order_id=order.pk,
            item_id=a.pk,
            version=order.version,
            quantity=2,
        )
        a.refresh_from_db()
    assert a.quantity == 2


def test_move_merge_and_transfer(business, menu, waiter, order):
    seco = add(business, order, waiter, menu.seco)
    jugo = add(business, order, waiter, menu.jugo)
    t1, t2, t3 = menu.tables[0], menu.tables[1], menu.tables[2]
    with tenant_context(business):
        other = services.table_open(business=business, table_id=t1.pk, user=waiter)
        order.refresh_from_db()
        with pytest.raises(TableBusyError):
            services.order_move(
                business=business,
                order_id=order.pk,
                table_id=t1.pk,
                version=order.version,
            )
        services.order_move(
            business=business, order_id=order.pk, table_id=t2.pk, version=order.version
        )
        services.items_transfer(
            business=business,
            order_id=order.pk,
            item_ids=[jugo.pk],
            table_id=t3.pk,
            user=waiter,
        )
        moved = Order.objects.get(business=business, table=t3, status="open")
        assert list(moved.items.values_list("pk", flat=True)) == [jugo.pk]
        merged = services.order_merge(
            business=business, order_id=moved.pk, into_table_id=t1.pk
        )
        assert merged.pk == other.pk
        assert list(merged.items.values_list("pk", flat=True)) == [jugo.pk]
        order.refresh_from_db()
        assert order.table == t2 and list(order.items.all()) == [seco]
        assert Order.objects.filter(business=business, status="open").count() == 2


def test_items_cannot_change_once_a_part_is_paid(business, menu, waiter, order):
    add(business, order, waiter, menu.seco)
    with tenant_context(business):
        services.bill_split(business=business, order_id=order.pk, mode="whole")
        order.parts.update(sale=None)
        assert order.parts.count() == 1
    add(business, order, waiter, menu.jugo)  # unpaid plan: dropped
    with tenant_context(business):
        assert order.parts.count() == 0
    assert BillError  # (a paid part blocks changes: see test_billing)
