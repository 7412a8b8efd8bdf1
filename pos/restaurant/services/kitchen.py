"""Send to the kitchen: only what is new, one ticket per station, exactly once."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business

from ..errors import NoStationError, NotFoundError
from ..models import KitchenTicket, KitchenTicketLine, OrderItem, Station, StationRoute
from .items import order_lock


class Router:
    """Product → station: the product's route, else its category's, else the default."""

    def __init__(self, business):
        self.stations = {s.pk: s for s in Station.objects.filter(business=business)}
        if not self.stations:
            raise NoStationError(
                _("Configure al menos una estación (cocina o bar) en el back office.")
            )
        self.by_product, self.by_category = {}, {}
        for station_id, product_id, category_id in StationRoute.objects.filter(
            business=business
        ).values_list("station_id", "product_id", "category_id"):
            if product_id:
                self.by_product[product_id] = station_id
            else:
                self.by_category[category_id] = station_id
        defaults = [s for s in self.stations.values() if s.is_default]
        self.default = (defaults or sorted(self.stations.values(), key=lambda s: s.pk))[
            0
        ]

    def station(self, product) -> Station:
        pk = self.by_product.get(product.pk) or self.by_category.get(
            product.category_id
        )
        return self.stations.get(pk, self.default)


def station_for(*, business: Business, product) -> Station:
    return Router(business).station(product)


@transaction.atomic
def order_send(*, business: Business, order_id: int, user) -> list[KitchenTicket]:
    """Send the lines added since the last send: one ticket per station.

    The order row is locked first, so concurrent taps queue up and the later
    ones find nothing new (the unique ticket line per item backs this up).
    """
    order = order_lock(business=business, order_id=order_id)
    items = list(
        OrderItem.objects.filter(
            business=business, order=order, state=OrderItem.State.NEW
        ).select_related("product")
    )
    if not items:
        return []
    router = Router(business)
    groups = defaultdict(list)
    for item in items:
        groups[router.station(item.product).pk].append(item)
    now = timezone.now()
    tickets = KitchenTicket.objects.bulk_create(
        [
            KitchenTicket(
                business=business,
                order=order,
                station_id=station_id,
                table_name=order.table.name,
                sent_by=user,
            )
            for station_id in sorted(groups)
        ]
    )
    KitchenTicketLine.objects.bulk_create(
        [
            KitchenTicketLine(
                business=business,
                ticket=ticket,
                item=item,
                name=item.name,
                quantity=item.quantity,
                note=item.note,
                seat=item.seat,
                course=item.course,
            )
            for ticket in tickets
            for item in groups[ticket.station_id]
        ]
    )
    OrderItem.objects.filter(business=business, pk__in=[i.pk for i in items]).update(
        state=OrderItem.State.SENT, sent_at=now, updated_at=now
    )
    order.version += 1
    order.save(update_fields=["version", "updated_at"])
    return tickets


@transaction.atomic
def ticket_ready(*, business: Business, ticket_id: int) -> KitchenTicket:
    """The cooks mark a ticket ready (the waiter sees «listo»); idempotent."""
    ticket = (
        KitchenTicket.objects.select_for_update()
        .filter(business=business, pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFoundError(_("Comanda no encontrada."))
    if ticket.ready_at is None:
        ticket.ready_at = timezone.now()
        ticket.save(update_fields=["ready_at", "updated_at"])
    return ticket
