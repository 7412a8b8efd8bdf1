"""Stock ledger writes. Every change is a StockMove plus an F() update of levels."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.utils.translation import gettext as _

from backoffice.tenancy.models import Business
from fiscal.errors import SouthernPOSError

from .models import StockLevel, StockMove


class InsufficientStockError(SouthernPOSError):
    code = "insufficient_stock"

    def __init__(self, products):
        self.products = products
        names = ", ".join(sorted(products))
        super().__init__(_("Stock insuficiente: %(names)s") % {"names": names})


@dataclass(frozen=True)
class MoveInput:
    product_id: int
    establishment_id: int
    quantity: Decimal
    reason: str
    reference: str = ""
    note: str = ""
    unit_cost: Decimal | None = None


@transaction.atomic
def stock_moves_apply(
    *, business: Business, moves: list[MoveInput], user=None, allow_negative=None
) -> list[StockMove]:
    """Record moves and update levels in a constant number of queries.

    Levels are locked in primary-key order (no deadlocks between concurrent
    sales), updated with F() (no read-modify-write), and checked afterwards:
    a level below zero aborts the whole transaction unless the business allows it.
    """
    if not moves:
        return []
    if allow_negative is None:
        allow_negative = business.allow_negative_stock
    rows = StockMove.objects.bulk_create(
        [
            StockMove(
                business=business,
                product_id=m.product_id,
                establishment_id=m.establishment_id,
                quantity=m.quantity,
                reason=m.reason,
                reference=m.reference,
                note=m.note,
                unit_cost=m.unit_cost,
                user=user,
            )
            for m in moves
        ]
    )
    deltas: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for m in moves:
        deltas[(m.product_id, m.establishment_id)] += m.quantity
    _levels_update(business=business, deltas=deltas, allow_negative=allow_negative)
    return rows


def _levels_update(*, business, deltas, allow_negative):
    StockLevel.objects.bulk_create(
        [
            StockLevel(business=business, product_id=p, establishment_id=e)
            for (p, e) in deltas
        ],
        ignore_conflicts=True,
    )
    product_ids = {p for p, _e in deltas}
    establishment_ids = {e for _p, e in deltas}
    scope = StockLevel.objects.filter(
        business=business,
        product_id__in=product_ids,
        establishment_id__in=establishment_ids,
    )
    list(scope.select_for_update().order_by("pk").values_list("pk", flat=True))
    delta = Case(
        *[
            When(product_id=p, establishment_id=e, then=Value(q))
            for (p, e), q in deltas.items()
        ],
        default=Value(Decimal("0")),
        output_field=DecimalField(max_digits=14, decimal_places=6),
    )
    scope.update(quantity=F("quantity") + delta)
    if allow_negative:
        return
    negative = [
        name
        for name, pid, eid in scope.filter(
            quantity__lt=0, product__track_stock=True
        ).values_list("product__name", "product_id", "establishment_id")
        if (pid, eid) in deltas and deltas[(pid, eid)] < 0
    ]
    if negative:
        raise InsufficientStockError(negative)
