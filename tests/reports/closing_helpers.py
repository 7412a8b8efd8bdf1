"""Build fiscal months for the close tests: sales of October 2026, their documents."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from backoffice.reports.closing.checks import month_checks
from backoffice.tenancy.context import tenant_context
from core.dates import day_start
from fiscal.models import DocState, ElectronicDocument
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post, sale_void
from tests.factories import UserFactory, membership
from tests.pos.conftest import make_product, point_of

YEAR, MONTH = 2026, 10


def at(day: int, hour: int = 12, month: int = MONTH):
    return day_start(date(YEAR, month, day)) + timedelta(hours=hour)


class Shop:
    """One business's till: post sales on given days, void them, authorise."""

    def __init__(self, business, *, price="2.00"):
        self.business = business
        self.owner = UserFactory()
        membership(business, self.owner, "owner")
        self.point = point_of(business)
        self.cafe = make_product(business, code="CAFE", name="Café", price=price)
        self.agua = make_product(
            business, code="AGUA", name="Agua", price="0.87", tax="0"
        )
        with tenant_context(business):
            cash_session_open(
                business=business,
                point=self.point,
                user=self.owner,
                opening_float=Decimal("20"),
            )

    def sell(self, when, *, card=False, customer=None, cafe="1", agua="0"):
        lines = [LineIn(product_id=self.cafe.pk, quantity=Decimal(cafe))]
        if agua != "0":
            lines.append(LineIn(product_id=self.agua.pk, quantity=Decimal(agua)))
        # A card pays the exact amount: one café, $2.00 + 15 % IVA.
        pay = PaymentIn("19", Decimal("2.30")) if card else PaymentIn("01", 100)
        with tenant_context(self.business):
            return sale_post(
                business=self.business,
                point=self.point,
                cashier=self.owner,
                lines=lines,
                payments=[pay],
                customer=customer,
                key=uuid.uuid4(),
                posted_at=when,
            ).sale

    def void(self, sale, when):
        with tenant_context(self.business):
            return sale_void(
                business=self.business,
                sale=sale,
                actor=self.owner,
                reason="Error de cobro",
                voided_at=when,
            )

    def authorise(self, **filters):
        with tenant_context(self.business):
            ElectronicDocument.objects.filter(business=self.business, **filters).update(
                state=DocState.AUTHORISED,
                authorization_number=F("access_key"),
                authorized_at=timezone.now(),
            )

    def document_of(self, sale) -> ElectronicDocument:
        with tenant_context(self.business):
            return ElectronicDocument.objects.get(
                business=self.business, source=f"sale:{sale.pk}"
            )

    def checks(self, year=YEAR, month=MONTH):
        with tenant_context(self.business):
            return month_checks(business=self.business, year=year, month=month)


def clean_month(shop: Shop, customer) -> list:
    """Five sales of October (cash, card, a customer, IVA 0 %), one voided with its
    credit note in October; every document authorised."""
    sales = [
        shop.sell(at(1, 9), agua="2"),
        shop.sell(at(2, 10), card=True),
        shop.sell(at(15, 18), customer=customer),
        shop.sell(at(20, 11), customer=customer, cafe="2", agua="1"),
        shop.sell(at(31, 20), agua="1"),
    ]
    shop.void(sales[3], at(21, 9))
    shop.authorise()
    return sales


def codes(report) -> list[str]:
    return sorted(b.code for b in report.blockers)


def customer_of(business):
    from backoffice.customers.models import Customer, IdType

    with tenant_context(business):
        return Customer.objects.create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1710034065",
            name="Lucía Andrade",
        )
