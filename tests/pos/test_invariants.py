"""Random carts through the real checkout: the stored sale always adds up."""

import random
from decimal import Decimal

import pytest

from backoffice.tenancy.context import tenant_context
from pos.services import PaymentIn
from tests.pos.conftest import make_product

D = Decimal
pytestmark = pytest.mark.django_db


def test_random_sales_add_up(post, business, customer):
    business.service_charge_rate = D("10")
    business.save()
    rng = random.Random(20261125)
    products = [
        make_product(
            business,
            code=f"R{i}",
            price=f"{rng.randint(1, 99999) / 1000:.6f}",
            tax=rng.choice(["0", "4", "5", "6", "7", "8"]),
        )
        for i in range(12)
    ]
    for _ in range(25):
        lines = []
        for product in rng.sample(products, rng.randint(1, 6)):
            quantity = D(rng.randint(1, 3000)) / 1000
            gross = (quantity * product.price).quantize(D("0.01"))
            discount = (gross * D(rng.choice([0, 0, 5, 50]))) / 100
            lines.append((product, quantity, discount.quantize(D("0.01"))))
        card = D(rng.randint(0, 500)) / 100
        sale = post(
            lines,
            [PaymentIn("19", card), PaymentIn("01", D("100000"))]
            if card
            else [PaymentIn("01", D("100000"))],
            customer=customer,
        )
        with tenant_context(business):
            stored = list(sale.lines.all())
            taxes = list(sale.taxes.all())
            paid = sum(p.amount for p in sale.payments.all())
        assert (
            sale.subtotal == sum(x.base for x in stored) == sum(t.base for t in taxes)
        )
        assert sale.tax_total == sum(t.tax for t in taxes)
        assert sale.total == sale.subtotal + sale.tax_total + sale.service_charge
        assert paid == sale.total
        assert sale.change == card + D("100000") - sale.total
        assert all(x.base >= 0 and x.tax >= 0 for x in stored)
        for t in taxes:
            assert t.tax == (t.base * t.rate / 100).quantize(D("0.01"), "ROUND_HALF_UP")
        assert abs(sale.tax_total - sum(x.tax for x in stored)) <= D("0.005") * (
            len(stored) + len(taxes)
        )
