"""The stock ledger: moves and levels (an upsert per product and establishment),
the negative-stock rule, the opening load."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.catalog.models import Product
from backoffice.tenancy.models import Business
from core.batch import Batch
from core.bulk import insert_rows
from core.errors import SouthernPOSError
from core.sql import Sql, build, placeholders

from ..models import StockLevel, StockMove


class InsufficientStockError(SouthernPOSError):
    code = "insufficient_stock"

    def __init__(self, products):
        self.products = products
        names = ", ".join(sorted(products))
        super().__init__(_("Stock insuficiente: %(names)s") % {"names": names})


class StockOperationError(SouthernPOSError):
    """A stock operation with bad input; nothing was written."""

    code = "stock_operation"


@dataclass(frozen=True)
class MoveInput:
    product_id: int
    establishment_id: int
    quantity: Decimal
    reason: str
    reference: str = ""
    note: str = ""
    unit_cost: Decimal | None = None
    supplier: str = ""


# No savepoint: callers run it inside their own transaction (the checkout's, a
# count's), and an error here aborts that whole transaction anyway.
@transaction.atomic(savepoint=False)
def stock_moves_apply(
    *,
    business: Business,
    moves: list[MoveInput],
    user=None,
    allow_negative=None,
    batch: Batch | None = None,
) -> list[StockMove]:
    """Record moves and update levels in two statements, whatever their number.

    Levels are created or added to by one upsert that locks them in (product,
    establishment) order (no deadlocks between concurrent sales and counts),
    with no read-modify-write, and checked afterwards: a level below zero
    aborts the whole transaction unless the business allows it. With `batch`
    (the checkout's), both statements join it: the moves' ids are set and the
    rule is checked when the batch ends.
    """
    if batch is None:
        with Batch() as own:
            return stock_moves_apply(
                business=business,
                moves=moves,
                user=user,
                allow_negative=allow_negative,
                batch=own,
            )
    if not moves:
        return []
    if allow_negative is None:
        allow_negative = business.allow_negative_stock
    # Ids, not instances, for the foreign keys: the checkout's user is the
    # request's lazy object, whose descriptor checks doubled each row's cost.
    user_id = getattr(user, "pk", None)
    rows = batch.insert(
        StockMove,
        [
            build(
                StockMove,
                business_id=business.pk,
                product_id=m.product_id,
                establishment_id=m.establishment_id,
                quantity=m.quantity,
                reason=m.reason,
                reference=m.reference,
                note=m.note,
                unit_cost=m.unit_cost,
                supplier=m.supplier,
                user_id=user_id,
            )
            for m in moves
        ],
    )
    deltas: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for m in moves:
        deltas[(m.product_id, m.establishment_id)] += m.quantity
    deltas = dict(sorted(deltas.items()))

    def check(levels):
        if not allow_negative:
            _negative_refuse(business=business, deltas=deltas, levels=levels)

    _levels_upsert(batch, business=business, deltas=deltas, then=check)
    return rows


@transaction.atomic
def stock_initial_load(
    *, business: Business, moves: list[MoveInput], user=None
) -> list[StockMove]:
    """Opening stock for products with no stock yet, for thousands at a time.

    Levels are created with their quantity in the same batch as the moves
    (nothing to lock or update), so the ledger invariant holds by
    construction; a product that already has a level in that branch is
    refused (its stock changes through a count or an adjustment instead).
    """
    if not moves:
        return []
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for m in moves:
        if m.quantity < 0:
            raise StockOperationError(_("El stock inicial no puede ser negativo."))
        totals[(m.product_id, m.establishment_id)] += m.quantity
    product_ids = {p for p, _e in totals}
    existing = StockLevel.objects.filter(
        business=business, product_id__in=product_ids
    ).values_list("product_id", "establishment_id")
    if any(pair in totals for pair in existing):
        raise StockOperationError(_("El producto ya tiene stock en este local."))
    rows = insert_rows(
        StockMove,
        [
            StockMove(
                business=business,
                product_id=m.product_id,
                establishment_id=m.establishment_id,
                quantity=m.quantity,
                reason=StockMove.Reason.INITIAL,
                reference=m.reference,
                note=m.note,
                unit_cost=m.unit_cost,
                user=user,
            )
            for m in moves
        ],
    )
    insert_rows(
        StockLevel,
        [
            StockLevel(business=business, product_id=p, establishment_id=e, quantity=q)
            for (p, e), q in totals.items()
        ],
    )
    return rows


def _negative_refuse(*, business, deltas, levels) -> None:
    below = [
        pair for pair, quantity in levels.items() if quantity < 0 and deltas[pair] < 0
    ]
    if not below:
        return
    # Rare path: names (and whether the product counts stock at all) for the error.
    negative = list(
        Product.objects.filter(
            business=business, track_stock=True, pk__in={p for p, _e in below}
        ).values_list("name", flat=True)
    )
    if negative:
        raise InsufficientStockError(negative)


LEVELS_UPSERT = Sql(
    "stock_levels_upsert",
    "INSERT INTO {StockLevel} AS level ({StockLevel.business}, "
    "{StockLevel.created_at}, {StockLevel.updated_at}, {StockLevel.product}, "
    "{StockLevel.establishment}, {StockLevel.quantity}) VALUES {values} "
    "ON CONFLICT ({StockLevel.business}, {StockLevel.product}, "
    "{StockLevel.establishment}) DO UPDATE SET {StockLevel.quantity} = "
    "level.{StockLevel.quantity} + EXCLUDED.{StockLevel.quantity}, "
    "{StockLevel.updated_at} = EXCLUDED.{StockLevel.updated_at} "
    "RETURNING {StockLevel.product}, {StockLevel.establishment}, "
    "{StockLevel.quantity}",
    models=(StockLevel,),
    example=lambda vendor: (
        {"values": placeholders(1, 6)},
        [0, timezone.now(), timezone.now(), 0, 0, Decimal(0)],
    ),
)


def _levels_upsert(batch, *, business, deltas, then) -> None:
    """Create or add to every level in one statement (PostgreSQL and SQLite ≥
    3.35 both take ON CONFLICT … RETURNING); rows lock in VALUES order."""
    connection = transaction.get_connection()
    now = timezone.now()
    params = []
    for (p, e), q in deltas.items():
        params += [business.pk, now, now, p, e, q]
    quantity = StockLevel._meta.get_field("quantity")
    sql = LEVELS_UPSERT.render(connection, values=placeholders(len(deltas), 6))
    batch.execute(
        sql,
        params,
        # The field's own conversion: SQLite hands decimals back as floats.
        then=lambda rows: then({(p, e): quantity.to_python(q) for p, e, q in rows}),
    )
