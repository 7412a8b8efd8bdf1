"""The bill: pre-bill totals, splits (items, seat, N equal parts), one sale per part.

Each part is posted through the counter's checkout (`pos.services.sale_post`)
with the part's own idempotency key, so a retried payment never posts twice.
The checkout computes the propina from the business's service rate; a bill
without service is posted with `service=False`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.customers.models import Customer
from backoffice.tenancy.models import Business, EmissionPoint
from core import calc
from core.money import ZERO
from pos.models import Sale
from pos.services import LineIn, PaymentIn, sale_post

from ..errors import BillError, ItemError, NotFoundError
from ..models import BillPart, Order, OrderItem
from .items import order_lock
from .split import PartLine, split_equal

MAX_PARTS = 20


def bill_totals(*, business: Business, lines: list[PartLine], service: bool):
    """The totals the checkout will post for these lines (no query)."""
    if not lines:
        return None
    return calc.sale_compute(
        [
            calc.LineInput(
                quantity=line.quantity,
                unit_price=line.item.unit_price,
                tax_code=line.item.tax_code,
            )
            for line in lines
        ],
        service_rate=business.service_charge_rate if service else ZERO,
    )


def billable_items(order: Order) -> list[OrderItem]:
    return [
        i
        for i in order.items.select_related("product").order_by("pk")
        if i.state != OrderItem.State.CANCELLED
    ]


def _split_items(items, groups) -> list[list[PartLine]]:
    by_id = {i.pk: i for i in items}
    seen, parts = set(), []
    for group in groups:
        try:
            ids = [int(pk) for pk in group]
        except (TypeError, ValueError):
            raise ItemError(_("Partes no válidas."), field="groups")
        if not ids:
            continue
        if any(pk not in by_id or pk in seen for pk in ids):
            raise ItemError(_("Cada producto va en una sola parte."), field="groups")
        seen.update(ids)
        parts.append([PartLine(by_id[pk], by_id[pk].quantity) for pk in ids])
    if seen != set(by_id):
        raise ItemError(_("Asigne todos los productos a una parte."), field="groups")
    return parts


def _split_seats(items) -> list[list[PartLine]]:
    seats = defaultdict(list)
    for item in items:
        seats[item.seat or 0].append(PartLine(item, item.quantity))
    return [seats[s] for s in sorted(seats, key=lambda s: (s == 0, s))]


@transaction.atomic
def bill_request(*, business: Business, order_id: int) -> Order:
    order = order_lock(business=business, order_id=order_id)
    if order.bill_requested_at is None:
        order.bill_requested_at = timezone.now()
        order.version += 1
        order.save(update_fields=["bill_requested_at", "version", "updated_at"])
    return order


@transaction.atomic
def bill_split(
    *,
    business: Business,
    order_id: int,
    mode: str,
    service: bool = True,
    groups=None,
    parts: int = 2,
) -> list[BillPart]:
    """Replace the (unpaid) split plan: whole, by items, by seat or N equal parts."""
    order = order_lock(business=business, order_id=order_id)
    if order.parts.filter(sale__isnull=False).exists():
        raise BillError(_("Ya hay partes cobradas: la división no puede cambiar."))
    items = billable_items(order)
    if not items:
        raise BillError(_("La orden no tiene productos."))
    if mode == "whole":
        plan = [[PartLine(i, i.quantity) for i in items]]
    elif mode == "items":
        plan = _split_items(items, groups or [])
    elif mode == "seat":
        plan = _split_seats(items)
    elif mode == "equal":
        if not isinstance(parts, int) or not 2 <= parts <= MAX_PARTS:
            raise ItemError(
                _("Entre 2 y %(n)s partes.") % {"n": MAX_PARTS}, field="parts"
            )
        rate = business.service_charge_rate if service else ZERO
        plan = split_equal(items, parts, service_rate=rate)
        if (
            sum(
                bill_totals(business=business, lines=p, service=service).total
                for p in plan
            )
            != bill_totals(
                business=business,
                lines=[PartLine(i, i.quantity) for i in items],
                service=service,
            ).total
        ):  # unit prices past what 6-decimal quantities can cut exactly
            raise BillError(
                _("No se puede dividir en partes exactas: use «Por productos».")
            )
    else:
        raise ItemError(_("Forma de dividir no válida."), field="mode")
    if len(plan) > MAX_PARTS:
        raise ItemError(_("Demasiadas partes."), field="groups")
    order.parts.all().delete()
    order.service_charge = bool(service)
    order.bill_requested_at = order.bill_requested_at or timezone.now()
    order.version += 1
    order.save()
    return BillPart.objects.bulk_create(
        [
            BillPart(
                business=business,
                order=order,
                number=n,
                label=_seat_label(lines) if mode == "seat" else "",
                lines=[
                    {"item": pl.item.pk, "quantity": str(pl.quantity)} for pl in lines
                ],
                service_charge=bool(service),
                key=uuid.uuid4(),
            )
            for n, lines in enumerate(plan, 1)
        ]
    )


def _seat_label(lines) -> str:
    seat = lines[0].item.seat
    return _("Puesto %(n)s") % {"n": seat} if seat else _("Compartido")


def part_lines(part: BillPart, items_by_id: dict) -> list[PartLine]:
    return [
        PartLine(items_by_id[row["item"]], Decimal(row["quantity"]))
        for row in part.lines
        if row["item"] in items_by_id
    ]


def part_pay(
    *,
    business: Business,
    part_id: int,
    point: EmissionPoint,
    cashier,
    payments: list[PaymentIn],
    customer: Customer | None = None,
) -> Sale:
    """Post one part as its own sale; close the order when every part is paid."""
    with transaction.atomic():
        part = BillPart.objects.filter(business=business, pk=part_id).first()
        if part is None:
            raise NotFoundError(_("Parte de la cuenta no encontrada."))
        if part.sale_id:  # a retry after the order closed
            return part.sale
        order = order_lock(business=business, order_id=part.order_id)
        part = BillPart.objects.get(business=business, pk=part_id)
        if part.sale_id:
            return part.sale
        items = {i.pk: i for i in billable_items(order)}
        lines = part_lines(part, items)
        if not lines:
            raise BillError(_("Esta parte no tiene productos."))
        sale = sale_post(
            business=business,
            service=part.service_charge,
            point=point,
            cashier=cashier,
            lines=[
                LineIn(
                    product_id=pl.item.product_id,
                    quantity=pl.quantity,
                    modifier_ids=tuple(pl.item.modifier_ids),
                )
                for pl in lines
            ],
            payments=payments,
            customer=customer,
            key=part.key,
        ).sale
        part.sale = sale
        part.save(update_fields=["sale", "updated_at"])
        if not order.parts.filter(sale__isnull=True).exists():
            order.status = Order.Status.CLOSED
            order.closed_at = timezone.now()
        order.version += 1
        order.save(update_fields=["status", "closed_at", "version", "updated_at"])
    return sale


@transaction.atomic
def order_release(*, business: Business, order_id: int) -> None:
    """Free a table whose order has nothing to bill (all moved or cancelled)."""
    order = order_lock(business=business, order_id=order_id)
    if billable_items(order):
        raise BillError(_("La mesa tiene productos por cobrar."))
    order.status = Order.Status.CLOSED
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
