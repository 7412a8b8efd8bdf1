"""`load_demo --sales N` posts history through the real checkout, idempotently."""

import pytest

from backoffice.tenancy.context import tenant_context
from fixtures.demo import SHOP, load_business, load_sales_history
from pos.models import CashSession, Sale, Void

pytestmark = pytest.mark.django_db


def test_history_is_posted_through_checkout_and_is_idempotent():
    shop = load_business(SHOP)
    assert load_sales_history(shop, sales=24) == 24
    assert load_sales_history(shop, sales=24) == 0
    assert load_sales_history(shop, sales=30) == 6
    with tenant_context(shop):
        sales = Sale.objects.all()
        assert sales.count() == 30
        numbers = sorted(sales.values_list("number", flat=True))
        assert numbers == list(range(1, 31))
        days = {s.posted_at.date() for s in sales}
        assert len(days) >= 13
        assert Void.objects.count() >= 1
        assert not CashSession.objects.filter(closed_at__isnull=True).exists()
        methods = set(sales.values_list("payments__method", flat=True))
        assert {"01", "16"} <= methods
        assert sales.exclude(customer_identification="9999999999999").exists()
