"""Reads of restaurant mode: the floor, an order, a station's tickets, the menu.

Each read is a constant number of queries whatever the number of tables,
items or tickets (tested with django_assert_max_num_queries).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from backoffice.catalog.models import ModifierGroup, Product
from backoffice.tenancy.models import Business
from core.money import ZERO

from .models import (
    Area,
    BillPart,
    KitchenTicket,
    KitchenTicketLine,
    Order,
    OrderItem,
    Station,
)
from .services.billing import PartLine, bill_totals, part_lines
from .services.items import item_amount

MENU_LIMIT = 500
KITCHEN_RECENT = 8  # tickets marked ready still shown (to undo a wrong tap)


def _money(value) -> str:
    return f"{value:.2f}"


def _live_items(order) -> list[OrderItem]:
    return [i for i in order.items.all() if i.state != OrderItem.State.CANCELLED]


def order_total(*, business, order) -> Decimal:
    lines = [PartLine(i, i.quantity) for i in _live_items(order)]
    totals = bill_totals(business=business, lines=lines, service=order.service_charge)
    return totals.total if totals else ZERO


def floor_state(*, business: Business) -> dict:
    """Every table with its state: free, occupied (since, total, ready) or bill."""
    orders = {
        o.table_id: o
        for o in Order.objects.filter(
            business=business, status=Order.Status.OPEN
        ).prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.filter(business=business))
        )
    }
    ready = defaultdict(int)
    for order_id in KitchenTicket.objects.filter(
        business=business,
        order__status=Order.Status.OPEN,
        kind=KitchenTicket.Kind.ORDER,
        ready_at__isnull=False,
    ).values_list("order_id", flat=True):
        ready[order_id] += 1
    areas = Area.objects.filter(business=business).prefetch_related("tables")
    now = timezone.now()
    result = []
    for area in areas:
        tables = []
        for table in area.tables.all():
            if not table.is_active:
                continue
            row = {
                "id": table.pk,
                "name": table.name,
                "seats": table.seats,
                "x": table.x,
                "y": table.y,
                "status": "free",
            }
            if order := orders.get(table.pk):
                row.update(
                    status="bill" if order.bill_requested_at else "busy",
                    order=order.pk,
                    minutes=int((now - order.created_at).total_seconds() // 60),
                    total=_money(order_total(business=business, order=order)),
                    ready=ready[order.pk],
                )
            tables.append(row)
        result.append({"id": area.pk, "name": area.name, "tables": tables})
    return {"areas": result}


def order_state(*, business: Business, order: Order) -> dict:
    """An order for the order and bill screens (items, totals, parts, ready)."""
    items = list(
        OrderItem.objects.filter(business=business, order=order).order_by("pk")
    )
    ready = dict(
        KitchenTicketLine.objects.filter(
            business=business, item__in=[i.pk for i in items], cancel=False
        ).values_list("item_id", "ticket__ready_at")
    )
    live = [i for i in items if i.state != OrderItem.State.CANCELLED]
    totals = bill_totals(
        business=business,
        lines=[PartLine(i, i.quantity) for i in live],
        service=order.service_charge,
    )
    by_id = {i.pk: i for i in live}
    parts = []
    for part in BillPart.objects.filter(business=business, order=order).select_related(
        "sale"
    ):
        part_totals = bill_totals(
            business=business,
            lines=part_lines(part, by_id),
            service=part.service_charge,
        )
        parts.append(
            {
                "id": part.pk,
                "number": part.number,
                "label": part.label,
                "lines": part.lines,
                "total": _money(part_totals.total if part_totals else ZERO),
                "service": _money(part_totals.service_charge if part_totals else ZERO),
                "paid": part.sale_id is not None,
                "sale": part.sale.document_number if part.sale_id else None,
                "sale_id": part.sale_id,
            }
        )
    return {
        "id": order.pk,
        "version": order.version,
        "status": order.status,
        "table": {"id": order.table_id, "name": order.table.name},
        "guests": order.guests,
        "service_charge": order.service_charge,
        "bill_requested": order.bill_requested_at is not None,
        "items": [_item_json(i, ready) for i in items],
        "totals": _totals_json(totals),
        "parts": parts,
    }


def _item_json(item: OrderItem, ready: dict) -> dict:
    return {
        "id": item.pk,
        "product": item.product_id,
        "name": item.name,
        "quantity": str(item.quantity.normalize()),
        "unit_price": str(item.unit_price),
        "amount": _money(item_amount(item)),
        "note": item.note,
        "seat": item.seat,
        "course": item.course,
        "state": item.state,
        "ready": item.pk in ready and ready[item.pk] is not None,
        "cancel_reason": item.cancel_reason,
    }


def _totals_json(totals) -> dict:
    if totals is None:
        return {"subtotal": "0.00", "tax": "0.00", "service": "0.00", "total": "0.00"}
    return {
        "subtotal": _money(totals.subtotal),
        "tax": _money(totals.tax),
        "service": _money(totals.service_charge),
        "total": _money(totals.total),
    }


def station_tickets(*, business: Business, station: Station) -> list[dict]:
    """Open tickets of a station, oldest first, then the last few marked ready."""
    base = KitchenTicket.objects.filter(business=business, station=station)
    lines = Prefetch(
        "lines", queryset=KitchenTicketLine.objects.filter(business=business)
    )
    pending = list(
        base.filter(ready_at__isnull=True).prefetch_related(lines).order_by("pk")
    )
    done = list(
        base.filter(ready_at__isnull=False)
        .prefetch_related(lines)
        .order_by("-ready_at")[:KITCHEN_RECENT]
    )
    return [ticket_json(t) for t in pending + done]


def ticket_json(ticket: KitchenTicket) -> dict:
    return {
        "id": ticket.pk,
        "kind": ticket.kind,
        "table": ticket.table_name,
        "at": timezone.localtime(ticket.created_at).strftime("%H:%M"),
        "ready": ticket.ready_at is not None,
        "lines": [
            {
                "name": ln.name,
                "quantity": str(ln.quantity.normalize()),
                "note": ln.note,
                "seat": ln.seat,
                "course": ln.course,
                "cancel": ln.cancel,
            }
            for ln in ticket.lines.all()
        ],
    }


def menu(*, business: Business) -> list[dict]:
    """Active products by category, with modifier groups (min/max) and options."""
    groups = (
        ModifierGroup.objects.filter(business=business)
        .order_by("sort_order", "pk")
        .prefetch_related("options")
    )
    products = (
        Product.objects.filter(business=business, is_active=True)
        .select_related("category")
        .prefetch_related(Prefetch("modifier_groups", queryset=groups))
        .order_by("category__sort_order", "category__name", "name")[:MENU_LIMIT]
    )
    return [
        {
            "id": p.pk,
            "name": p.name,
            "category": p.category.name if p.category else "",
            "price": _money(p.price_gross),
            "groups": [
                {
                    "name": g.name,
                    "min": g.min_choices,
                    "max": g.max_choices,
                    "options": [
                        {"id": o.pk, "name": o.name, "delta": _money(o.price_delta)}
                        for o in g.options.all()
                        if o.is_active
                    ],
                }
                for g in p.modifier_groups.all()
            ],
        }
        for p in products
    ]


def stations(*, business: Business) -> list[dict]:
    return [
        {"id": s.pk, "name": s.name, "kind": s.kind}
        for s in Station.objects.filter(business=business)
    ]
