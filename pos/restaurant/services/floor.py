"""The floor: open a table, move it, merge two, transfer items between tables."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business

from ..errors import ItemError, NotFoundError, TableBusyError
from ..models import Order, OrderItem, RestaurantSettings, Table
from .items import order_lock, order_touch


def restaurant_settings_get(*, business: Business) -> RestaurantSettings:
    settings, _created = RestaurantSettings.objects.get_or_create(business=business)
    return settings


def _table(*, business, table_id) -> Table:
    table = Table.objects.filter(business=business, pk=table_id, is_active=True).first()
    if table is None:
        raise NotFoundError(_("Mesa no encontrada."))
    return table


def _open_order(*, business, table) -> Order | None:
    return Order.objects.filter(
        business=business, table=table, status=Order.Status.OPEN
    ).first()


def table_open(*, business: Business, table_id: int, user, guests: int = 0) -> Order:
    """The table's open order, opened now if the table is free."""
    table = _table(business=business, table_id=table_id)
    if order := _open_order(business=business, table=table):
        return order
    try:
        with transaction.atomic():
            return Order.objects.create(
                business=business,
                table=table,
                opened_by=user,
                guests=max(0, min(int(guests or 0), 99)),
            )
    except IntegrityError:  # another device opened it a moment ago
        return _open_order(business=business, table=table)


@transaction.atomic
def order_move(*, business: Business, order_id: int, table_id: int, version) -> Order:
    """Move the guests to a free table."""
    order = order_lock(business=business, order_id=order_id, version=version)
    table = _table(business=business, table_id=table_id)
    if _open_order(business=business, table=table):
        raise TableBusyError(_("La mesa de destino está ocupada: use «Unir mesas»."))
    order.table = table
    order.save(update_fields=["table", "updated_at"])
    order_touch(order, keep_plan=True)
    return order


def _lock_two(*, business, first_id, second_id):
    """Lock two orders in id order (never deadlocks against the reverse call)."""
    locked = {}
    for pk in sorted({first_id, second_id}):
        locked[pk] = order_lock(business=business, order_id=pk)
    return locked[first_id], locked[second_id]


@transaction.atomic
def order_merge(*, business: Business, order_id: int, into_table_id: int) -> Order:
    """Join this table's order into another table's: one bill, the table frees."""
    table = _table(business=business, table_id=into_table_id)
    target = _open_order(business=business, table=table)
    if target is None:
        raise TableBusyError(_("La mesa de destino está libre: use «Mover mesa»."))
    if target.pk == order_id:
        raise ItemError(_("Elija otra mesa."), field="table")
    source, target = _lock_two(
        business=business, first_id=order_id, second_id=target.pk
    )
    order_touch(source)
    order_touch(target)
    OrderItem.objects.filter(business=business, order=source).update(order=target)
    source.tickets.update(order=target)
    source.status = Order.Status.CLOSED
    source.closed_at = timezone.now()
    source.save(update_fields=["status", "closed_at", "updated_at"])
    target.guests += source.guests
    target.save(update_fields=["guests"])
    return target


@transaction.atomic
def items_transfer(
    *, business: Business, order_id: int, item_ids: list[int], table_id: int, user
) -> Order:
    """Move some items to another table (opened if free)."""
    from .floor import table_open

    if not item_ids:
        raise ItemError(_("Elija los productos a pasar."), field="items")
    target = table_open(business=business, table_id=table_id, user=user)
    if target.pk == order_id:
        raise ItemError(_("Elija otra mesa."), field="table")
    source, target = _lock_two(
        business=business, first_id=order_id, second_id=target.pk
    )
    items = OrderItem.objects.filter(
        business=business, order=source, pk__in=item_ids
    ).exclude(state=OrderItem.State.CANCELLED)
    if items.count() != len(set(item_ids)):
        raise ItemError(_("El producto ya no está en la orden."), field="items")
    order_touch(source)
    order_touch(target)
    items.update(order=target)
    return target
