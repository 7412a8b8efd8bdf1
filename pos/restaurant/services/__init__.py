"""Writes of restaurant mode: `from pos.restaurant.services import …`."""

from .billing import (
    bill_request,
    bill_split,
    bill_totals,
    order_release,
    part_pay,
    split_equal,
)
from .floor import (
    items_transfer,
    order_merge,
    order_move,
    restaurant_settings_get,
    table_open,
)
from .items import item_add, item_cancel, item_change, order_lock
from .kitchen import order_send, station_for, ticket_ready

__all__ = [
    "bill_request",
    "bill_split",
    "bill_totals",
    "item_add",
    "item_cancel",
    "item_change",
    "items_transfer",
    "order_lock",
    "order_merge",
    "order_move",
    "order_release",
    "order_send",
    "part_pay",
    "restaurant_settings_get",
    "split_equal",
    "station_for",
    "table_open",
    "ticket_ready",
]
