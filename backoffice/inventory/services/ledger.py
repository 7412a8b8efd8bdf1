"""The stock ledger: moves and levels (an upsert per product and establishment),
the negative-stock rule, the opening load."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.catalog.models import Product
from backoffice.tenancy.models import Business
from core.bulk import execute_send, insert_rows, insert_send
from core.errors import SouthernPOSError

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
    *, business: Business, moves: list[MoveInput], user=None, allow_negative=None
) -> list[StockMove]:
    """Record moves and update levels in a constant number of queries.

    Levels are locked in primary-key order (no deadlocks between concurrent
    sales), updated with F() (no read-modify-write), and checked afterwards:
    a level below zero aborts the whole transaction unless the business allows it.
    """
    return stock_moves_send(
        business=business, moves=moves, user=user, allow_negative=allow_negative
    )()


def stock_moves_send(
    *, business: Business, moves: list[MoveInput], user=None, allow_negative=None
):
    """`stock_moves_apply` in two steps, for callers that pipeline statements.

    Sends the inserts and level updates and returns the function that reads
    their results and refuses negative stock; call it after `pipelined()`.
    Must run inside the caller's transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("stock moves need atomic()")
    if not moves:
        return lambda: []
    if allow_negative is None:
        allow_negative = business.allow_negative_stock
    collect_moves = insert_send(
        StockMove,
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
                supplier=m.supplier,
                user=user,
            )
            for m in moves
        ],
    )
    deltas: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for m in moves:
        deltas[(m.product_id, m.establishment_id)] += m.quantity
    # Lock order: (product, establishment), here and in stock counts, so
    # concurrent sales and counts never wait on each other in a cycle.
    deltas = dict(sorted(deltas.items()))
    if transaction.get_connection().vendor == "postgresql":
        fetch_levels = _levels_upsert_send(business=business, deltas=deltas)
    else:
        levels = _levels_update_portable(business=business, deltas=deltas)

        def fetch_levels():
            return levels

    def collect() -> list[StockMove]:
        rows = collect_moves()
        levels = fetch_levels()  # read in any case: it closes the cursor
        if not allow_negative:
            _negative_refuse(business=business, deltas=deltas, levels=levels)
        return rows

    return collect


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


def _levels_upsert_send(*, business, deltas):
    """Create or add to every level in one statement; rows lock in VALUES order."""
    table = StockLevel._meta.db_table
    now = timezone.now()
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(deltas))
    params = []
    for (p, e), q in deltas.items():
        params += [business.pk, now, now, p, e, q]
    fetch = execute_send(
        transaction.get_connection(),
        f'INSERT INTO "{table}" AS level ("business_id", "created_at", '  # noqa: S608 - table from model metadata, values are %s
        '"updated_at", "product_id", "establishment_id", "quantity") '
        f"VALUES {values} "
        'ON CONFLICT ("business_id", "product_id", "establishment_id") '
        'DO UPDATE SET "quantity" = level."quantity" + EXCLUDED."quantity" '
        'RETURNING "product_id", "establishment_id", "quantity"',
        params,
    )
    return lambda: {(p, e): q for p, e, q in fetch()}


def _levels_update_portable(*, business, deltas) -> dict[tuple[int, int], Decimal]:
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
    if transaction.get_connection().features.has_select_for_update:
        list(
            scope.select_for_update()
            .order_by("product_id", "establishment_id")
            .values_list("pk", flat=True)
        )
    delta = Case(
        *[
            When(product_id=p, establishment_id=e, then=Value(q))
            for (p, e), q in deltas.items()
        ],
        default=Value(Decimal("0")),
        output_field=DecimalField(max_digits=14, decimal_places=6),
    )
    scope.update(quantity=F("quantity") + delta)
    return {
        (p, e): q
        for p, e, q in scope.values_list("product_id", "establishment_id", "quantity")
        if (p, e) in deltas
    }
