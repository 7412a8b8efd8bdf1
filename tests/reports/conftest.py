import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from backoffice.reports import selectors
from backoffice.reports.services import rollup_pending
from backoffice.tenancy.context import tenant_context
from pos.models import CashSession, Sale
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post, sale_void
from tests.factories import UserFactory, membership
from tests.pos.conftest import (  # noqa: F401  (fixtures shared with the pos tests)
    _fast_hashers,
    cashier,
    customer,
    make_product,
    point,
    point_of,
    post,
    product,
    session,
)

CENT = Decimal("0.01")


def days_ago(n: int, hour: int = 12, minute: int = 0):
    day = timezone.localdate() - timedelta(days=n)
    return selectors.day_start(day) + timedelta(hours=hour, minutes=minute)


def poster(business, emission_point=None):
    """A function posting sales in `business` (one cash session, any cashier)."""
    opener = UserFactory()
    membership(business, opener, "owner")
    where = emission_point or point_of(business)
    with tenant_context(business):
        if not CashSession.objects.filter(emission_point=where, closed_at=None):
            cash_session_open(
                business=business, point=where, user=opener, opening_float=Decimal(20)
            )

    def _post(lines, payments=None, *, who=opener, posted_at=None, buyer=None):
        with tenant_context(business):
            return sale_post(
                business=business,
                point=where,
                cashier=who,
                lines=[LineIn(product_id=p.pk, quantity=Decimal(q)) for p, q in lines],
                payments=payments or [PaymentIn("01", Decimal("10000.00"))],
                key=uuid.uuid4(),
                posted_at=posted_at,
                customer=buyer,
            ).sale

    return _post


def cashier_of(business, first_name):
    user = UserFactory(first_name=first_name, last_name="Prueba")
    membership(business, user, "cashier")
    return user


@pytest.fixture
def shop(business, other_business, owner):
    """Sales over three weeks in two businesses: rolled-up days, today, voids.

    Business: CAFE ($2.00 + 15 % IVA, cost 1.25) and AGUA ($0.87, IVA 0 %,
    cost 0.40), two cashiers, cash and card. The other business sells more,
    so any leak shows in the figures.
    """
    cafe = make_product(
        business, code="CAFE", name="Café", price="2.00", cost=Decimal("1.25")
    )
    agua = make_product(
        business,
        code="AGUA",
        name='=HYPERLINK("http://x")',
        price="0.87",
        tax="0",
        cost=Decimal("0.40"),
        stock="40",
    )
    sell = poster(business)
    ana, beto = cashier_of(business, "Ana"), cashier_of(business, "Beto")
    card = [PaymentIn("19", Decimal("2.30"))]
    sales = []
    for n in (15, 8, 7, 3, 1):
        sales.append(
            sell([(cafe, "2"), (agua, "3")], who=ana, posted_at=days_ago(n, 9))
        )
        sales.append(sell([(cafe, "1")], card, who=beto, posted_at=days_ago(n, 18, 30)))
    sales.append(sell([(agua, "5")], who=ana, posted_at=days_ago(7, 10)))
    sales.append(sell([(cafe, "3"), (agua, "1")], who=ana))
    sales.append(sell([(cafe, "1")], card, who=beto))
    sales.append(sell([(agua, "2")], who=ana))  # voided today
    other = make_product(other_business, code="CAFE", name="Café ajeno", price="10")
    stranger = poster(other_business)
    for n in (8, 7, 1, 0):
        stranger([(other, "4")], posted_at=days_ago(n, 11) if n else None)
    with tenant_context(business):
        rollup_pending(business=business)
        sale_void(business=business, sale=sales[10], actor=owner, reason="Error")
        sale_void(business=business, sale=sales[-1], actor=owner, reason="=cmd|' /C")
    return sales


def raw(business, first_day, last_day, establishment=None):
    """The figures of [first_day, last_day] computed by hand from the sales."""
    figures = {
        "total": Decimal(0),
        "tickets": 0,
        "base": Decimal(0),
        "cost": Decimal(0),
        "days": {},
        "hours": {},
        "payments": {},
        "cashiers": {},
        "products": {},
        "taxes": {},
    }
    with tenant_context(business):
        sales = Sale.objects.filter(business=business).prefetch_related(
            "lines__product", "payments", "taxes"
        )
        for sale in sales:
            local = timezone.localtime(sale.posted_at)
            if hasattr(sale, "void") or not first_day <= local.date() <= last_day:
                continue
            if establishment is not None and sale.establishment_id != establishment:
                continue
            figures["total"] += sale.total
            figures["tickets"] += 1
            for key, name in ((local.date(), "days"), (local.hour, "hours")):
                figures[name][key] = figures[name].get(key, Decimal(0)) + sale.total
            cashier = figures["cashiers"].setdefault(sale.cashier_id, Decimal(0))
            figures["cashiers"][sale.cashier_id] = cashier + sale.total
            for payment in sale.payments.all():
                found = figures["payments"].get(payment.method, Decimal(0))
                figures["payments"][payment.method] = found + payment.amount
            for tax in sale.taxes.all():
                found = figures["taxes"].get(tax.tax_code, (Decimal(0), Decimal(0)))
                figures["taxes"][tax.tax_code] = (
                    found[0] + tax.base,
                    found[1] + tax.tax,
                )
            for line in sale.lines.all():
                cost = (line.quantity * line.product.cost).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
                figures["base"] += line.base
                figures["cost"] += cost
                q, b, c = figures["products"].get(line.code, (0, 0, 0))
                figures["products"][line.code] = (
                    q + line.quantity,
                    b + line.base,
                    c + cost,
                )
    return figures
