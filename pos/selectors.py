"""Reads of the counter: sales, look-ups for the POS page, cash summaries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from backoffice.catalog.barcodes import plu_codes, scale_label_parse
from backoffice.catalog.models import Category, ModifierGroup, ModifierOption, Product
from backoffice.customers.models import Customer
from backoffice.limits import is_id
from backoffice.tenancy import roles
from backoffice.tenancy.models import Business, EmissionPoint, Establishment
from core.money import ZERO, round_money
from core.sql import Sql, instances, select

from .models import (
    CashMovement,
    CashSession,
    Payment,
    PaymentMethod,
    PinFailure,
    Sale,
    SaleReturn,
    SaleReturnLine,
    SaleTax,
    Void,
)


def _m(value) -> Decimal:
    # SQLite sums decimals as floats-in-disguise: bring them back to cents.
    return ZERO if value is None else round_money(value)


def sale_get(*, business: Business, pk) -> Sale | None:
    """A sale with its lines, taxes, payments and void (for receipts and the SRI)."""
    return (
        Sale.objects.for_business(business)
        .select_related("emission_point__establishment", "cashier", "void")
        .prefetch_related("lines", "taxes", "payments")
        .filter(pk=pk)
        .first()
    )


# Who sees every sale and cash report of the business; cashiers and waiters
# see only their own sales and the sessions they opened (issue 10).
SEE_ALL_SALES = roles.READERS


def sale_get_visible(*, business: Business, pk, user, role: str | None) -> Sale | None:
    """A sale (as `sale_get`) if this member may see it, else None.

    Receipts carry the customer's identification, e-mail and address: a
    cashier or waiter opens the sales they rang or that were rung in a cash
    session they opened; owners, managers and accountants open any.
    """
    sale = sale_get(business=business, pk=pk)
    if sale is None or role in SEE_ALL_SALES:
        return sale
    if sale.cashier_id == user.pk:
        return sale
    opened = CashSession.objects.for_business(business).filter(
        pk=sale.cash_session_id, opened_by=user
    )
    return sale if sale.cash_session_id and opened.exists() else None


def cash_session_visible(*, session: CashSession, user, role: str | None) -> bool:
    """X/Z reports: the session's own cashier, or those who see every sale."""
    return role in SEE_ALL_SALES or session.opened_by_id == user.pk


def void_get(*, business: Business, pk) -> Void | None:
    """A void with its sale, lines, taxes and payments (for the nota de crédito)."""
    return (
        Void.objects.for_business(business)
        .select_related("sale__emission_point__establishment", "actor", "authorized_by")
        .prefetch_related("sale__lines", "sale__taxes", "sale__payments")
        .filter(pk=pk)
        .first()
    )


def sale_list(*, business: Business, day=None) -> QuerySet[Sale]:
    qs = Sale.objects.for_business(business).select_related("cashier")
    if day is not None:
        qs = qs.filter(posted_at__date=day)
    return qs.prefetch_related("payments")


SALES_PAGE = 50  # the session's sales list on the POS page


def session_sale_list(
    *, business: Business, session: CashSession, cashier=None, page: int = 1
) -> tuple[list[Sale], bool]:
    """A page of the session's sales (only `cashier`'s if given), newest first,
    with voided/returned flags."""
    sales = Sale.objects.for_business(business).filter(cash_session=session)
    if cashier is not None:
        sales = sales.filter(cashier=cashier)
    voids = Void.objects.for_business(business).filter(sale=OuterRef("pk"))
    returns = SaleReturn.objects.for_business(business).filter(sale=OuterRef("pk"))
    start = (page - 1) * SALES_PAGE
    rows = list(
        sales.annotate(is_voided=Exists(voids), is_returned=Exists(returns))
        .only("pk", "document_number", "posted_at", "total", "customer_name")
        .order_by("-posted_at", "-pk")[start : start + SALES_PAGE + 1]
    )
    return rows[:SALES_PAGE], len(rows) > SALES_PAGE


def sale_returned_quantities(*, business: Business, sale: Sale) -> dict[int, Decimal]:
    """Per sale line id: the quantity already returned (for the page's return form)."""
    rows = (
        SaleReturnLine.objects.for_business(business)
        .filter(sale_line__sale=sale)
        .values_list("sale_line")
        .annotate(q=Sum("quantity"))
        .order_by()
    )
    return {line: Decimal(str(q)).normalize() for line, q in rows}


# Every checkout through the API reads its point: written by hand (core.sql),
# as the checkout's own statements are. With no point asked for, the business's
# first active one (by establishment and point code).
EMISSION_POINT = Sql(
    "emission_point_for_checkout",
    select(("p", EmissionPoint), ("e", Establishment))  # noqa: S608 - model names
    + " FROM {EmissionPoint} p JOIN {Establishment} e "
    "ON e.{Establishment.business} = p.{EmissionPoint.business} "
    "AND e.{Establishment.id} = p.{EmissionPoint.establishment} "
    "WHERE p.{EmissionPoint.business} = %s AND p.{EmissionPoint.is_active} {which}"
    "ORDER BY e.{Establishment.code}, p.{EmissionPoint.code} LIMIT 1",
    models=(EmissionPoint, Establishment),
    example=lambda vendor: ({"which": "AND p.id = %s "}, [0, 0]),
)


def _emission_point(sql: str, params: list) -> EmissionPoint | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return emission_point_from_row(cursor.fetchone())


def emission_point_from_row(row) -> EmissionPoint | None:
    """The point, with its establishment, of an EMISSION_POINT row (or None)."""
    if row is None:
        return None
    point, establishment = instances(connection, row, EmissionPoint, Establishment)
    point.establishment = establishment
    return point


def emission_point_lookup(*, business: Business, pk: int) -> tuple[str, list]:
    """The statement that reads an active point of the business by id (for a
    caller that sends it with others: the checkout)."""
    column = connection.ops.quote_name(EmissionPoint._meta.pk.column)
    return EMISSION_POINT.render(connection, which=f"AND p.{column} = %s "), [
        business.pk,
        pk,
    ]


def emission_point_get(*, business: Business, pk) -> EmissionPoint | None:
    if not is_id(pk):
        return None
    return _emission_point(*emission_point_lookup(business=business, pk=pk))


def emission_point_default(*, business: Business) -> EmissionPoint | None:
    return _emission_point(EMISSION_POINT.render(connection, which=""), [business.pk])


def cash_session_current(*, business: Business, point) -> CashSession | None:
    return (
        CashSession.objects.for_business(business)
        .filter(emission_point=point, closed_at__isnull=True)
        .first()
    )


PRODUCT_PAGE = 60  # tiles per page of the POS grid


def _products_for_pos(*, business: Business) -> QuerySet[Product]:
    groups = ModifierGroup.objects.for_business(business).prefetch_related(
        Prefetch(
            "options",
            queryset=ModifierOption.objects.for_business(business).filter(
                is_active=True
            ),
        )
    )
    return (
        Product.objects.for_business(business)
        .filter(is_active=True)
        .select_related("category")
        .prefetch_related(Prefetch("modifier_groups", queryset=groups))
    )


def product_search(
    *, business: Business, q: str = "", category=None, page: int = 1
) -> tuple[list[Product], bool]:
    """A page of active products for the POS grid (by name) and whether more follow.

    `q` matches the name (contains), the code (starts with, any case) or the
    barcode (starts with). Three queries whatever the page size.
    """
    qs = _products_for_pos(business=business)
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(code__istartswith=q) | Q(barcode__startswith=q)
        )
    if category is not None:
        qs = qs.filter(category_id=category)
    start = (page - 1) * PRODUCT_PAGE
    rows = list(qs.order_by("name", "pk")[start : start + PRODUCT_PAGE + 1])
    return rows[:PRODUCT_PAGE], len(rows) > PRODUCT_PAGE


@dataclass(frozen=True)
class BarcodeHit:
    product: Product
    quantity: Decimal | None = None  # from a scale label, in the product's unit


def product_by_barcode(*, business: Business, code: str) -> BarcodeHit | None:
    """The product a scanned code names: its barcode, or a scale label's PLU."""
    products = _products_for_pos(business=business)
    product = products.filter(barcode=code).first() if code else None
    if product is not None:
        return BarcodeHit(product)
    label = scale_label_parse(code, mode=business.scale_barcodes)
    if label is None:
        return None
    product = (
        products.filter(code__in=plu_codes(label.plu)).order_by("code", "pk").first()
    )
    if product is None:
        return None
    if business.scale_barcodes == Business.ScaleBarcode.PRICE:
        # The label's price is what the customer pays: with IVA.
        if product.price_gross <= 0:
            return BarcodeHit(product)
        quantity = (label.value / product.price_gross).quantize(Decimal("0.001"))
    else:
        quantity = label.value.quantize(Decimal("0.001"))
    return BarcodeHit(product, quantity)


def category_list(*, business: Business) -> QuerySet[Category]:
    """Active categories that have at least one active product (the POS tabs)."""
    products = Product.objects.for_business(business).filter(
        category=OuterRef("pk"), is_active=True
    )
    return (
        Category.objects.for_business(business)
        .filter(is_active=True)
        .filter(Exists(products))
        .order_by("sort_order", "name")
    )


def customer_search(*, business: Business, q: str, limit: int = 20):
    qs = Customer.objects.for_business(business)
    if q:
        qs = qs.filter(Q(identification__startswith=q) | Q(name__icontains=q))
    return qs.order_by("name")[:limit]


@dataclass
class CashSummary:
    session: CashSession
    expected: dict[str, Decimal]  # per payment method code
    sales_count: int = 0
    sales_total: Decimal = ZERO
    service_charge: Decimal = ZERO
    voids_count: int = 0
    voids_total: Decimal = ZERO
    returns_count: int = 0
    returns_total: Decimal = ZERO
    cash_in: Decimal = ZERO
    cash_out: Decimal = ZERO
    payments: dict[str, Decimal] = field(default_factory=dict)
    taxes: list[tuple[str, Decimal, Decimal, Decimal]] = field(default_factory=list)


def cash_session_summary(*, business: Business, session: CashSession) -> CashSummary:
    """What the drawer should hold: float + payments + movements, per method."""
    sales = Sale.objects.for_business(business).filter(cash_session=session)
    agg = sales.aggregate(
        n=Count("pk"), total=Sum("total"), service=Sum("service_charge")
    )
    payments = {
        method: _m(total)
        for method, total in Payment.objects.for_business(business)
        .filter(sale__cash_session=session)
        .values_list("method")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    movements = (
        CashMovement.objects.for_business(business)
        .filter(session=session)
        .values_list("kind", "method")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    voids = (
        Void.objects.for_business(business)
        .filter(cash_session=session)
        .aggregate(n=Count("pk"), total=Sum("total"))
    )
    returns = (
        SaleReturn.objects.for_business(business)
        .filter(cash_session=session)
        .aggregate(n=Count("pk"), total=Sum("total"))
    )
    expected: dict[str, Decimal] = defaultdict(lambda: ZERO)
    expected[PaymentMethod.CASH.value] = session.opening_float
    for method, amount in payments.items():
        expected[method] += amount
    summary = CashSummary(
        session=session,
        expected=expected,
        sales_count=agg["n"] or 0,
        sales_total=_m(agg["total"]),
        service_charge=_m(agg["service"]),
        voids_count=voids["n"] or 0,
        voids_total=_m(voids["total"]),
        returns_count=returns["n"] or 0,
        returns_total=_m(returns["total"]),
        payments={m: payments.get(m, ZERO) for m in payments},
    )
    for kind, method, total in movements:
        amount = _m(total)
        expected[method] += amount
        if kind == CashMovement.Kind.CASH_IN:
            summary.cash_in += amount
        elif kind == CashMovement.Kind.CASH_OUT:
            summary.cash_out += -amount
    summary.expected = dict(expected)
    summary.taxes = [
        (code, rate, _m(base), _m(tax))
        for code, rate, base, tax in SaleTax.objects.for_business(business)
        .filter(sale__cash_session=session)
        .values_list("tax_code", "rate")
        .annotate(base=Sum("base"), tax=Sum("tax"))
        .order_by("tax_code")
    ]
    return summary


def cash_movement_list(*, business: Business, session: CashSession):
    """The session's cash in/out and reversals, oldest first (the X report)."""
    return (
        CashMovement.objects.for_business(business)
        .filter(session=session)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def pin_lockout_list(*, business: Business, since) -> QuerySet[PinFailure]:
    """Cashiers locked out by wrong supervisor PINs since then: the owner's alert."""
    return (
        PinFailure.objects.filter(business=business, locked=True, created_at__gte=since)
        .select_related("user")
        .order_by("-created_at")
    )
