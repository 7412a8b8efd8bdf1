"""The sales report: per day, per payment method, top products, xlsx; own rows only."""

from io import BytesIO

from openpyxl import load_workbook

from backoffice.tenancy.context import tenant_context
from pos.services import sale_void
from tests.factories import UserFactory, membership


def test_report_totals_exclude_voids_and_match_the_xlsx(
    client, business, post, product, owner
):
    # given three sales of $2.30 and one of them voided
    sales = [post([(product, 1)]) for _ in range(3)]
    with tenant_context(business):
        sale_void(business=business, sale=sales[0], actor=owner, reason="error")
    client.force_login(owner)
    # when the owner opens the report
    page = client.get("/reports/")
    # then the period shows the two valid sales, cash, and the product
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span id="period-total">$ 4.60</span>' in html
    assert "Efectivo" in html and "Café" in html
    # and the spreadsheet carries the same figures
    book = load_workbook(BytesIO(client.get("/reports/?format=xlsx").content))
    days = list(book["Ventas por día"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], float(row[4])) for row in days] == [(2, 4.6)]
    products = list(book["Productos"].iter_rows(min_row=2, values_only=True))
    assert products[0][:3] == ("CAFE", "Café", 2)


def test_report_of_another_business_shows_none_of_these_sales(
    client, business, other_business, post, product
):
    post([(product, 3)])
    stranger = UserFactory()
    membership(other_business, stranger, "owner")
    client.force_login(stranger)
    html = client.get("/reports/").content.decode()
    assert '<span id="period-total">$ 0.00</span>' in html
    assert "Café" not in html


def test_cashier_cannot_open_reports(client, business):
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    assert client.get("/reports/").status_code == 403


def test_report_queries_do_not_grow_with_sales(
    client, business, post, product, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    post([(product, 1)])
    client.get("/reports/")  # a login's first request stores its business
    with django_assert_max_num_queries(12):
        client.get("/reports/")
    for _ in range(20):
        post([(product, 1)])
    with django_assert_max_num_queries(12):
        client.get("/reports/")
