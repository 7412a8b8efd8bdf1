"""The dashboard counts today's and this month's sales of the business only."""

from decimal import Decimal

from backoffice.reports.selectors import dashboard_kpis
from backoffice.tenancy.context import tenant_context
from pos.services import sale_void
from tests.pos.conftest import make_product


def _kpis(business):
    with tenant_context(business):
        return {str(k.title): k for k in dashboard_kpis(business=business)}


def test_dashboard_sums_todays_sales_without_voids(
    business, other_business, post, product, owner
):
    # given three sales of $2.30 (2.00 + 15 % IVA), one of them voided
    sales = [post([(product, 1)]) for _ in range(3)]
    with tenant_context(business):
        sale_void(business=business, sale=sales[0], actor=owner, reason="error")
    # and another business with its own catalog
    make_product(other_business, code="X1", name="Ajeno", price="50.00")
    # when the owner opens the dashboard
    kpis = _kpis(business)
    # then only the two valid sales of this business count
    assert kpis["Ventas de hoy"].value == "$ 4.60"
    assert kpis["Ventas de hoy"].footer == "2 tickets"
    assert kpis["Ventas del mes"].value == "$ 4.60"
    assert sales[1].total == Decimal("2.30")


def test_dashboard_of_an_empty_business_shows_zero(other_business):
    kpis = _kpis(other_business)
    assert kpis["Ventas de hoy"].value == "$ 0.00"
    assert kpis["Comprobantes SRI sin autorizar"].value == "0"
