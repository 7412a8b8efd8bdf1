"""Order items: add (modifier min/max enforced), change while new, cancel once sent."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice.catalog.models import ModifierGroup, Product
from backoffice.limits import MAX_MODIFIERS, MAX_QUANTITY
from backoffice.tenancy import roles
from backoffice.tenancy.models import Business
from core.money import ZERO, round_money, round_unit, to_decimal
from core.taxes import rate_for
from pos.services import void_authorizer
from pos.services.pricing import modifier_count_error

from ..errors import BillError, ItemError, NotFoundError, VersionConflictError
from ..models import KitchenTicket, KitchenTicketLine, Order, OrderItem

MAX_NOTE = 200
MAX_SEAT = 99
MAX_COURSE = 9


def order_lock(*, business: Business, order_id: int, version=None) -> Order:
    """The open order, locked for this transaction; refuse a stale `version`."""
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("table")
        .filter(business=business, pk=order_id, status=Order.Status.OPEN)
        .first()
    )
    if order is None:
        raise NotFoundError(_("La orden no existe o ya se cerró."))
    if version is not None and int(version) != order.version:
        raise VersionConflictError(
            _(
                "Otro dispositivo cambió esta orden; se muestran sus cambios. "
                "Repita su cambio."
            )
        )
    return order


def order_touch(order: Order, *, keep_plan: bool = False) -> None:
    """Bump the version; a change of items drops an unpaid split plan."""
    if not keep_plan:
        if order.parts.filter(sale__isnull=False).exists():
            raise BillError(_("La cuenta ya se está cobrando: no se puede cambiar."))
        order.parts.all().delete()
    order.version += 1
    order.save(update_fields=["version", "updated_at"])


def _quantity(value) -> Decimal:
    try:
        quantity = to_decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ItemError(_("Cantidad no válida."), field="quantity")
    if not quantity.is_finite() or quantity <= 0 or quantity > MAX_QUANTITY:
        raise ItemError(_("Cantidad no válida."), field="quantity")
    if quantity != round_unit(quantity):
        raise ItemError(_("La cantidad admite hasta 6 decimales."), field="quantity")
    return quantity


def _small(value, *, top: int, field: str, allow_none: bool = False):
    if value in (None, "") and allow_none:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ItemError(_("Número no válido."), field=field)
    if not 1 <= number <= top:
        raise ItemError(_("Número no válido."), field=field)
    return number


def _note(value) -> str:
    note = str(value or "").strip()
    if len(note) > MAX_NOTE or "\x00" in note:
        raise ItemError(_("Nota demasiado larga."), field="note")
    return note


def modifiers_check(*, business, product, option_ids) -> list:
    """The chosen options, refused unless each group's min/max holds."""
    if len(option_ids) > MAX_MODIFIERS or len(set(option_ids)) != len(option_ids):
        raise ItemError(_("Modificadores no válidos."), field="modifiers")
    groups = (
        ModifierGroup.objects.filter(business=business, products=product)
        .prefetch_related("options")
        .order_by("sort_order", "pk")
    )
    chosen, wanted = [], set(option_ids)
    for group in groups:
        picked = [o for o in group.options.all() if o.is_active and o.pk in wanted]
        message = modifier_count_error(
            group=group.name,
            n=len(picked),
            minimum=group.min_choices,
            maximum=group.max_choices,
        )
        if message:
            raise ItemError(message, field="modifiers")
        chosen += [(group, o) for o in picked]
        wanted -= {o.pk for o in picked}
    if wanted:
        raise ItemError(
            _("Modificador no válido para %(name)s.") % {"name": product.name},
            field="modifiers",
        )
    return chosen


@transaction.atomic
def item_add(
    *,
    business: Business,
    order_id: int,
    user,
    product_id: int,
    quantity=1,
    modifier_ids=(),
    note: str = "",
    seat=None,
    course=1,
) -> OrderItem:
    """Add a line. Needs no version: two waiters adding at once both keep theirs."""
    order = order_lock(business=business, order_id=order_id)
    product = Product.objects.filter(
        business=business, pk=product_id, is_active=True
    ).first()
    if product is None:
        raise ItemError(_("Producto no encontrado."), field="product")
    chosen = modifiers_check(
        business=business, product=product, option_ids=list(modifier_ids)
    )
    unit = round_unit(product.price + sum((o.price_delta for _g, o in chosen), ZERO))
    name = product.name
    if chosen:
        name += " (" + ", ".join(o.name for _g, o in chosen) + ")"
    item = OrderItem.objects.create(
        business=business,
        order=order,
        product=product,
        name=name[:300],
        unit_price=unit,
        tax_code=product.tax_category,
        quantity=_quantity(quantity),
        modifier_ids=[o.pk for _g, o in chosen],
        modifiers=[
            {"group": g.name, "name": o.name, "price": str(o.price_delta)}
            for g, o in chosen
        ],
        note=_note(note),
        seat=_small(seat, top=MAX_SEAT, field="seat", allow_none=True),
        course=_small(course, top=MAX_COURSE, field="course"),
        added_by=user,
    )
    order_touch(order)
    return item


def _item_locked(*, business, order, item_id) -> OrderItem:
    item = OrderItem.objects.filter(business=business, order=order, pk=item_id).first()
    if item is None:
        raise NotFoundError(_("El producto ya no está en la orden."))
    return item


@transaction.atomic
def item_change(
    *, business: Business, order_id: int, item_id: int, version, **changes
) -> OrderItem | None:
    """Change quantity/note/seat/course of a line not yet sent (quantity 0 removes)."""
    order = order_lock(business=business, order_id=order_id, version=version)
    item = _item_locked(business=business, order=order, item_id=item_id)
    if item.state != OrderItem.State.NEW:
        raise ItemError(
            _("Ya se envió a cocina: solo se puede anular con un motivo."),
            field="item",
        )
    if "quantity" in changes and str(changes["quantity"]) in {"0", "0.0", "0.00"}:
        item.delete()
        order_touch(order)
        return None
    if "quantity" in changes:
        item.quantity = _quantity(changes["quantity"])
    if "note" in changes:
        item.note = _note(changes["note"])
    if "seat" in changes:
        item.seat = _small(changes["seat"], top=MAX_SEAT, field="seat", allow_none=True)
    if "course" in changes:
        item.course = _small(changes["course"], top=MAX_COURSE, field="course")
    item.save()
    order_touch(order)
    return item


def item_amount(item: OrderItem) -> Decimal:
    """What the line costs with IVA (for the PIN limit and the screens)."""
    rate = rate_for(item.tax_code)
    return round_money(item.quantity * item.unit_price * (100 + rate) / 100)


def _needs_pin(*, business, actor, amount) -> bool:
    from .floor import restaurant_settings_get

    limit = restaurant_settings_get(business=business).cancel_pin_limit
    if amount <= limit:
        return False
    role = actor.memberships.filter(business=business).values_list("role", flat=True)
    return not set(role) & roles.MANAGERS


def item_cancel(
    *,
    business: Business,
    order_id: int,
    item_id: int,
    actor,
    reason: str,
    supervisor_pin: str = "",
) -> OrderItem:
    """Cancel a line already sent: a reason, a manager's PIN above the limit,
    and a cancellation ticket to its station."""
    reason = _note(reason)
    if not reason:
        raise ItemError(_("Indique el motivo de la anulación."), field="reason")
    item = OrderItem.objects.filter(
        business=business, order_id=order_id, pk=item_id
    ).first()
    if item is None:
        raise NotFoundError(_("El producto ya no está en la orden."))
    authorizer = actor
    if _needs_pin(business=business, actor=actor, amount=item_amount(item)):
        # Outside the cancel's transaction: a wrong PIN stays counted.
        authorizer = void_authorizer(
            business=business, actor=actor, supervisor_pin=supervisor_pin
        )
    return _item_cancel(
        business=business,
        order_id=order_id,
        item_id=item_id,
        actor=authorizer,
        reason=reason,
        user=actor,
    )


@transaction.atomic
def _item_cancel(*, business, order_id, item_id, actor, reason, user) -> OrderItem:
    from .kitchen import station_for

    order = order_lock(business=business, order_id=order_id)
    item = _item_locked(business=business, order=order, item_id=item_id)
    if item.state != OrderItem.State.SENT:
        raise ItemError(_("Solo se anulan productos enviados a cocina."), field="item")
    item.state = OrderItem.State.CANCELLED
    item.cancel_reason = reason
    item.cancelled_by = actor
    item.save(update_fields=["state", "cancel_reason", "cancelled_by", "updated_at"])
    ticket = KitchenTicket.objects.create(
        business=business,
        order=order,
        station=station_for(business=business, product=item.product),
        kind=KitchenTicket.Kind.CANCEL,
        table_name=order.table.name,
        sent_by=user,
    )
    KitchenTicketLine.objects.create(
        business=business,
        ticket=ticket,
        item=item,
        name=item.name,
        quantity=item.quantity,
        note=reason,
        seat=item.seat,
        course=item.course,
        cancel=True,
    )
    order_touch(order)
    return item
