"""Stock documents: receivings, adjustments, counts and transfers, posted as
moves of the ledger."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from backoffice.catalog.models import Product
from backoffice.tenancy.models import Business, Establishment
from core.money import round_unit, to_decimal

from ..models import StockDocument, StockDocumentLine, StockLevel, StockMove
from .ledger import MoveInput, StockOperationError, stock_moves_apply


@dataclass(frozen=True)
class LineInput:
    """One product line of a receipt, adjustment or transfer."""

    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None


Reason = StockMove.Reason


def _check_scope(*, business, establishments, product_ids) -> dict[int, Product]:
    """Refuse establishments or products of another business (one query)."""
    for establishment in establishments:
        if establishment.business_id != business.pk:
            raise StockOperationError(_("El local no pertenece a este negocio."))
    products = Product.objects.for_business(business).in_bulk(set(product_ids))
    if len(products) != len(set(product_ids)):
        raise StockOperationError(_("Producto desconocido en este negocio."))
    return products


def _check_lines(lines, *, positive: bool) -> None:
    if not lines:
        raise StockOperationError(_("Agregue al menos una línea."))
    seen = set()
    for line in lines:
        quantity = to_decimal(line.quantity)
        if positive and quantity <= 0:
            raise StockOperationError(_("Las cantidades deben ser mayores que cero."))
        if not positive and quantity == 0:
            raise StockOperationError(_("Las cantidades no pueden ser cero."))
        if line.unit_cost is not None and to_decimal(line.unit_cost) < 0:
            raise StockOperationError(_("El costo no puede ser negativo."))
        if line.product_id in seen:
            raise StockOperationError(_("Producto repetido en el documento."))
        seen.add(line.product_id)


def _line_moves(
    lines, *, establishment, reason, sign=1, with_cost=False, **common
) -> list[MoveInput]:
    """One move per document line in a branch (the one builder of line moves)."""
    return [
        MoveInput(
            product_id=line.product_id,
            establishment_id=establishment.pk,
            quantity=sign * to_decimal(line.quantity),
            reason=reason,
            **({"unit_cost": line.unit_cost} if with_cost else {}),
            **common,
        )
        for line in lines
    ]


@transaction.atomic
def stock_receive(
    *,
    business: Business,
    establishment: Establishment,
    lines: list[LineInput],
    supplier: str = "",
    reference: str = "",
    user=None,
) -> list[StockMove]:
    """Book received goods and set each product's cost to the last unit cost."""
    _check_lines(lines, positive=True)
    products = _check_scope(
        business=business,
        establishments=[establishment],
        product_ids=[line.product_id for line in lines],
    )
    moves = _line_moves(
        lines,
        establishment=establishment,
        reason=Reason.RECEIPT,
        with_cost=True,
        reference=reference,
        supplier=supplier,
    )
    rows = stock_moves_apply(business=business, moves=moves, user=user)
    costed = []
    for line in lines:
        if line.unit_cost is not None:
            product = products[line.product_id]
            product.cost = round_unit(line.unit_cost)
            costed.append(product)
    if costed:
        bulk_update_with_history(
            costed, Product, ["cost", "updated_at"], default_user=user
        )
    return rows


@transaction.atomic
def stock_adjust(
    *,
    business: Business,
    establishment: Establishment,
    lines: list[LineInput],
    reason: str,
    user=None,
    reference: str = "",
) -> list[StockMove]:
    """Add or remove units with a stated reason (breakage, expiry, gift...)."""
    if not reason.strip():
        raise StockOperationError(_("Indique el motivo del ajuste."), field="reason")
    _check_lines(lines, positive=False)
    _check_scope(
        business=business,
        establishments=[establishment],
        product_ids=[line.product_id for line in lines],
    )
    moves = _line_moves(
        lines,
        establishment=establishment,
        reason=Reason.ADJUSTMENT,
        reference=reference,
        note=reason.strip()[:300],
    )
    return stock_moves_apply(business=business, moves=moves, user=user)


@dataclass(frozen=True)
class CountResult:
    product_id: int
    counted: Decimal
    expected: Decimal
    difference: Decimal


@transaction.atomic
def stock_count_book(
    *,
    business: Business,
    establishment: Establishment,
    counts: dict[int, Decimal],
    user=None,
    reference: str = "",
) -> list[CountResult]:
    """Book the differences between counted and book quantities as COUNT moves.

    Levels are locked before they are read, so a sale running at the same time
    waits and the booked difference is exact.
    """
    if not counts:
        raise StockOperationError(_("Agregue al menos una línea."))
    if any(to_decimal(q) < 0 for q in counts.values()):
        raise StockOperationError(_("La cantidad contada no puede ser negativa."))
    _check_scope(
        business=business, establishments=[establishment], product_ids=list(counts)
    )
    StockLevel.objects.bulk_create(
        [
            StockLevel(business=business, product_id=p, establishment=establishment)
            for p in counts
        ],
        ignore_conflicts=True,
    )
    book = dict(
        StockLevel.objects.filter(
            business=business, establishment=establishment, product_id__in=counts
        )
        .select_for_update()
        .order_by("product_id")  # the lock order of stock_moves_apply
        .values_list("product_id", "quantity")
    )
    results = [
        CountResult(p, to_decimal(q), book[p], to_decimal(q) - book[p])
        for p, q in counts.items()
    ]
    moves = [
        MoveInput(
            product_id=r.product_id,
            establishment_id=establishment.pk,
            quantity=r.difference,
            reason=Reason.COUNT,
            reference=reference,
        )
        for r in results
        if r.difference != 0
    ]
    stock_moves_apply(business=business, moves=moves, user=user, allow_negative=True)
    return results


@transaction.atomic
def stock_transfer(
    *,
    business: Business,
    source: Establishment,
    destination: Establishment,
    lines: list[LineInput],
    user=None,
    reference: str = "",
) -> list[StockMove]:
    """Move stock out of one branch and into another, all or nothing."""
    if source.pk == destination.pk:
        raise StockOperationError(
            _("El local de origen y el de destino deben ser distintos."),
            field="destination",
        )
    _check_lines(lines, positive=True)
    _check_scope(
        business=business,
        establishments=[source, destination],
        product_ids=[line.product_id for line in lines],
    )
    common = {
        "reason": Reason.TRANSFER,
        "reference": reference,
        "note": f"{source.code} → {destination.code}",
    }
    out = _line_moves(lines, establishment=source, sign=-1, **common)
    into = _line_moves(lines, establishment=destination, **common)
    moves = [move for pair in zip(out, into, strict=True) for move in pair]
    return stock_moves_apply(business=business, moves=moves, user=user)


@transaction.atomic
def stock_document_post(
    *, business: Business, document: StockDocument, user=None
) -> StockDocument:
    """Book a draft inventory document and freeze it (posted documents are final)."""
    locked = (
        StockDocument.objects.for_business(business)
        .select_for_update()
        .get(pk=document.pk)
    )
    if locked.is_posted:
        raise StockOperationError(_("El documento ya está contabilizado."))
    lines = list(StockDocumentLine.objects.filter(document=locked).order_by("pk"))
    reference = f"{locked.get_kind_display()} #{locked.pk}"
    inputs = [LineInput(x.product_id, x.quantity, x.unit_cost) for x in lines]
    kind = StockDocument.Kind
    common = {"business": business, "user": user, "reference": reference}
    if locked.kind == kind.RECEIPT:
        stock_receive(
            establishment=locked.establishment,
            lines=inputs,
            supplier=locked.supplier,
            **common,
        )
    elif locked.kind == kind.ADJUSTMENT:
        stock_adjust(
            establishment=locked.establishment,
            lines=inputs,
            reason=locked.reason,
            **common,
        )
    elif locked.kind == kind.TRANSFER:
        if locked.destination is None:
            raise StockOperationError(
                _("Indique el local de destino."), field="destination"
            )
        stock_transfer(
            source=locked.establishment,
            destination=locked.destination,
            lines=inputs,
            **common,
        )
    else:
        _count_post(locked, lines, common)
    locked.status = StockDocument.Status.POSTED
    locked.posted_at = timezone.now()
    locked.posted_by = user
    locked.save(update_fields=["status", "posted_at", "posted_by", "updated_at"])
    return locked


def _count_post(document, lines, common) -> None:
    if len({x.product_id for x in lines}) != len(lines):
        raise StockOperationError(_("Producto repetido en el documento."))
    results = stock_count_book(
        establishment=document.establishment,
        counts={x.product_id: x.quantity for x in lines},
        **common,
    )
    by_product = {r.product_id: r for r in results}
    for line in lines:
        line.expected = by_product[line.product_id].expected
        line.difference = by_product[line.product_id].difference
    StockDocumentLine.objects.bulk_update(lines, ["expected", "difference"])
