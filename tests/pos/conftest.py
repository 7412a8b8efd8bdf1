"""Fixtures of the counter: an open till, a cashier, products with stock."""

import uuid
from decimal import Decimal

import pytest

from backoffice.catalog.models import Product
from backoffice.inventory.models import StockLevel, StockMove
from backoffice.inventory.services import MoveInput, stock_moves_apply
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import EmissionPoint
from pos.models import Payment, Sale, SaleLine, SaleTax
from pos.services import LineIn, PaymentIn, cash_session_open, sale_post
from tests.factories import UserFactory, membership


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def point_of(business) -> EmissionPoint:
    with tenant_context(business):
        return EmissionPoint.objects.select_related("establishment").get(
            business=business, code="001"
        )


def make_product(business, *, code=None, price="10.00", tax="4", stock=None, **kw):
    with tenant_context(business):
        product = Product.objects.create(
            business=business,
            code=code or f"P{uuid.uuid4().hex[:8]}",
            name=kw.pop("name", "Producto"),
            price=Decimal(price),
            tax_category=tax,
            track_stock=kw.pop("track_stock", stock is not None),
            **kw,
        )
        if stock is not None:
            stock_moves_apply(
                business=business,
                moves=[
                    MoveInput(
                        product_id=product.pk,
                        establishment_id=point_of(business).establishment_id,
                        quantity=Decimal(stock),
                        reason=StockMove.Reason.INITIAL,
                    )
                ],
            )
        return product


def stock_of(business, product) -> Decimal:
    with tenant_context(business):
        return StockLevel.objects.get(business=business, product=product).quantity


@pytest.fixture
def point(business):
    return point_of(business)


@pytest.fixture
def cashier(business):
    user = UserFactory()
    membership(business, user, "cashier")
    return user


@pytest.fixture
def session(business, point, owner):
    with tenant_context(business):
        return cash_session_open(
            business=business, point=point, user=owner, opening_float=Decimal("50")
        )


@pytest.fixture
def product(business):
    return make_product(business, code="CAFE", name="Café", price="2.000000")


@pytest.fixture
def post(business, point, cashier, session):
    """Post a sale in the business's context; lines as (product, qty[, discount]).

    Returns the Sale, or the whole `PostedSale` answer with `full=True`."""

    def _post(
        lines,
        payments=None,
        *,
        key=None,
        customer=None,
        cash=None,
        posted_at=None,
        full=False,
    ):
        with tenant_context(business):
            line_inputs = [
                LineIn(
                    product_id=spec[0].pk,
                    quantity=Decimal(str(spec[1])),
                    discount=Decimal(str(spec[2])) if len(spec) > 2 else Decimal(0),
                )
                for spec in lines
            ]
            if payments is None:
                payments = [PaymentIn("01", Decimal(cash or "10000.00"))]
            posted = sale_post(
                business=business,
                point=point,
                cashier=cashier,
                lines=line_inputs,
                payments=payments,
                customer=customer,
                key=key or uuid.uuid4(),
                posted_at=posted_at,
            )
            return posted if full else posted.sale

    return _post


@pytest.fixture
def customer(business):
    from backoffice.customers.models import Customer, IdType

    with tenant_context(business):
        return Customer.objects.create(
            business=business,
            id_type=IdType.CEDULA,
            identification="1708611684",
            name="Carlos Villacís",
            email="carlos@example.ec",
            address="Quito",
            phone="0999999999",
        )


def sale_counts(business):
    with tenant_context(business):
        return (
            Sale.objects.count(),
            SaleLine.objects.count(),
            Payment.objects.count(),
            SaleTax.objects.count(),
            StockMove.objects.filter(reason=StockMove.Reason.SALE).count(),
        )


def assert_refused(post, business, lines, payments, error, field=None, **kw):
    before = sale_counts(business)
    with pytest.raises(error) as exc:
        post(lines, payments, **kw)
    assert sale_counts(business) == before
    if field:
        assert exc.value.field == field
    assert exc.value.status in (400, 403, 409)
    return exc.value
