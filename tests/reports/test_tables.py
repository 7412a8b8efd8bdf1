"""The reports list: every report agrees to the cent with the raw sales, on its
own business only; exports stream and are safe against formula injection."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from backoffice.reports import tables
from backoffice.tenancy.context import tenant_context
from tests.factories import UserFactory, membership

from .conftest import poster, raw

pytestmark = pytest.mark.django_db


def rows_of(slug, business, since, until, **options):
    with tenant_context(business):
        return list(tables.BY_SLUG[slug].rows(business, since, until, options))


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - timedelta(days=20), today


def test_sales_reports_reconcile_with_the_raw_sales(business, shop, period):
    figures = raw(business, *period)
    total = figures["total"]
    assert total == Decimal("57.62")  # 5 days × (7.21 + 2.30) + today 10.07
    by_day = rows_of("dia", business, *period)
    assert {r[0]: r[4] for r in by_day} == figures["days"]
    assert sum(r[1] for r in by_day) == figures["tickets"] == 12
    by_month = rows_of("periodo", business, *period)
    assert sum(r[4] for r in by_month) == total
    by_hour = rows_of("hora", business, *period)
    assert {int(r[0][:2]): r[4] for r in by_hour} == figures["hours"]
    by_cashier = rows_of("cajero", business, *period)
    assert {r[0]: r[4] for r in by_cashier} == {
        "Ana Prueba": figures["cashiers"][shop[0].cashier_id],
        "Beto Prueba": figures["cashiers"][shop[1].cashier_id],
    }
    by_place = rows_of("establecimiento", business, *period)
    assert [r[4] for r in by_place] == [total]
    by_payment = rows_of("pago", business, *period)
    assert {r[0]: r[3] for r in by_payment} == figures["payments"]
    by_tax = rows_of("iva", business, *period)
    assert {r[0]: (r[3], r[4]) for r in by_tax} == figures["taxes"]
    assert sum(r[5] for r in by_tax) == total  # no service charge in these sales


def test_margin_by_product_and_category_uses_the_cost_to_the_cent(
    business, shop, period
):
    figures = raw(business, *period)
    products = rows_of("producto", business, *period)
    assert {r[0]: (r[3], r[4], r[5]) for r in products} == figures["products"]
    cafe = next(r for r in products if r[0] == "CAFE")
    # 19 cafés: base 38.00, cost 19 × 1.25 = 23.75
    assert cafe[3:8] == (
        Decimal("19"),
        Decimal("38.00"),
        Decimal("23.75"),
        Decimal("14.25"),
        Decimal("37.5"),
    )
    categories = rows_of("categoria", business, *period)
    assert sum(r[3] for r in categories) == figures["base"] - figures["cost"]


def test_voids_report_lists_reason_and_who(business, owner, shop, period):
    voids = rows_of("anulaciones", business, *period)
    assert [v[4] for v in voids] == ["Error", "=cmd|' /C"]
    assert {v[5] for v in voids} == {owner.username}
    assert sum(v[7] for v in voids) == Decimal("6.09")


def test_stock_valuation_and_slow_movers(business, shop, period):
    with tenant_context(business):
        from backoffice.inventory.models import StockLevel

        agua_stock = StockLevel.objects.get(product__code="AGUA").quantity
    # 40 − 5 × 3 − 5 − 1 − 2 + 5 + 2 (voids put back) = 24
    assert agua_stock == Decimal("24")
    stock = rows_of("inventario", business, *period)
    assert [(r[1], r[3], r[5]) for r in stock] == [
        ("AGUA", Decimal("24"), Decimal("9.60"))
    ]
    slow = rows_of("lentos", business, *period)
    assert slow[0][0] == "AGUA" and slow[0][4] == Decimal("16")  # voids excluded


def test_sales_by_customer_reconciles_and_ranks(business, shop, period):
    from backoffice.customers.models import Customer
    from tests.pos.conftest import make_product

    from .conftest import days_ago

    with tenant_context(business):
        carla = Customer.objects.create(
            business=business, id_type="05", identification="1710034065", name="Carla"
        )
    vino = make_product(business, code="VINO", name="Vino", price="20.00")
    sell = poster(business)
    sell([(vino, "2")], buyer=carla, posted_at=days_ago(3, 12))  # rolled-up day
    sell([(vino, "1")], buyer=carla)  # today
    rows = rows_of("cliente", business, *period)
    assert rows[0] == (
        "1710034065",
        "Carla",
        2,
        Decimal("60.00"),
        Decimal("9.00"),
        Decimal("69.00"),
    )
    assert rows[1][:3] == ("9999999999999", "CONSUMIDOR FINAL", 12)
    assert rows[1][5] == Decimal("57.62")
    assert sum(r[5] for r in rows) == raw(business, *period)["total"]


def test_reports_are_scoped_to_one_business(business, other_business, shop, period):
    for report in tables.REPORTS:
        text = str(rows_of(report.slug, other_business, *period))
        assert "Ana Prueba" not in text and "AGUA" not in text, report.slug
    mine = rows_of("dia", business, *period)
    theirs = rows_of("dia", other_business, *period)
    assert sum(r[4] for r in theirs) == Decimal("184.00")
    assert sum(r[4] for r in mine) == Decimal("57.62")


def test_every_report_page_and_export(client, business, owner, shop, period):
    client.force_login(owner)
    query = {"since": period[0].isoformat(), "until": period[1].isoformat()}
    for report in tables.REPORTS:
        page = client.get(f"/reports/{report.slug}/", query)
        assert page.status_code == 200, report.slug
        assert str(report.title) in page.content.decode()
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/reports/{report.slug}/", {**query, "format": fmt})
            assert response.status_code == 200, (report.slug, fmt)
            assert response.streaming
    html = client.get("/reports/dia/", query).content.decode()
    assert 'id="report-totals"' in html and "57.62" in html
    assert client.get("/reports/nada/").status_code == 404
    bad = client.get("/reports/pedido/", {"lead": "-1", "target": "x"})
    assert bad.status_code == 400
    assert "Introduzca un número entero" in bad.content.decode()
    bad = client.get("/reports/dia/", {"since": "9999-12-31", "format": "csv"})
    assert bad.status_code == 400 and not bad.streaming
    assert client.get("/reports/dia/", {"format": "pdf"}).status_code == 400


def test_exports_are_safe_against_formula_injection(client, business, owner, shop):
    client.force_login(owner)
    text = b"".join(
        client.get("/reports/producto/", {"format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text), delimiter=";")]
    assert '\'=HYPERLINK("http://x")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    book = load_workbook(
        io.BytesIO(
            b"".join(
                client.get(
                    "/reports/anulaciones/", {"format": "xlsx"}
                ).streaming_content
            )
        )
    )
    cells = [c for row in book.active.iter_rows() for c in row]
    assert "'=cmd|' /C" in [c.value for c in cells]
    assert not any(c.data_type == "f" for c in cells)
    # the summary report's spreadsheet too
    book = load_workbook(
        io.BytesIO(client.get("/reports/", {"format": "xlsx"}).content)
    )
    names = [row[1] for row in book["Productos"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+5", "+5"),  # a number written as text stays one (backoffice.formulas)
        ("-2", "-2"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("Café", "Café"),
        (Decimal("-2.50"), Decimal("-2.50")),
    ],
)
def test_safe_text(value, safe):
    assert tables.safe_text(value) == safe


def test_cashiers_open_no_report(client, business, shop):
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    client.force_login(cashier)
    for report in tables.REPORTS:
        assert client.get(f"/reports/{report.slug}/").status_code == 403
        assert client.get(f"/reports/{report.slug}/?format=csv").status_code == 403


def test_report_queries_do_not_grow_with_sales(
    client, business, owner, django_assert_max_num_queries
):
    from tests.pos.conftest import make_product

    client.force_login(owner)
    cafe = make_product(business, code="CAFE", name="Café", price="2.00", stock="500")
    sell = poster(business)
    sell([(cafe, "1")])
    since = (timezone.localdate() - timedelta(days=60)).isoformat()
    counts = {}
    for report in tables.REPORTS:
        with django_assert_max_num_queries(30) as first:
            client.get(f"/reports/{report.slug}/", {"since": since})
        counts[report.slug] = len(first.captured_queries)
    for n in range(12):
        sell([(cafe, "1")], posted_at=timezone.now() - timedelta(days=n * 3))
    for report in tables.REPORTS:
        with django_assert_max_num_queries(counts[report.slug]):
            page = client.get(f"/reports/{report.slug}/", {"since": since})
        assert page.status_code == 200
