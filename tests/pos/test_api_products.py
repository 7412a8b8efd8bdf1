"""The POS grid's look-ups: paged products, barcodes, scale labels, categories."""

from decimal import Decimal

import pytest
from django.db import connection

from backoffice.catalog.models import Category, ModifierGroup, ModifierOption
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Business
from tests.pos.conftest import make_product

pytestmark = pytest.mark.django_db
URL = "/pos/api/products"


@pytest.fixture
def api(client, cashier):
    client.force_login(cashier)
    return client


def _category(business, name, **kw):
    with tenant_context(business):
        return Category.objects.create(business=business, name=name, **kw)


def _settings(business, **fields):
    with system_context():
        Business.objects.filter(pk=business.pk).update(**fields)


def test_result_carries_gross_price_unit_image_and_groups(api, business):
    fruit = _category(business, "Frutas")
    banana = make_product(
        business,
        code="BAN",
        name="Banano",
        price="1.000000",
        unit="kg",
        category=fruit,
        barcode="7861234567897",
    )
    with tenant_context(business):
        group = ModifierGroup.objects.create(
            business=business, name="Madurez", min_choices=1, max_choices=1
        )
        group.products.add(banana)
        ModifierOption.objects.create(business=business, group=group, name="Verde")
        ModifierOption.objects.create(
            business=business, group=group, name="Vieja", is_active=False
        )

    data = api.get(URL).json()

    assert data["prices_include_tax"] is True and data["next_page"] is None
    (row,) = data["results"]
    assert row["price_gross"] == "1.15" and row["price"] == "1.000000"
    assert (row["unit"], row["weighed"], row["image"]) == ("kg", True, None)
    assert (row["category"], row["category_id"]) == ("Frutas", fruit.pk)
    (g,) = row["modifier_groups"]
    assert (g["name"], g["min"], g["max"]) == ("Madurez", 1, 1)
    assert [o["name"] for o in g["options"]] == ["Verde"]


def test_pages_of_60_ordered_by_name_reach_every_product(api, business):
    for i in range(125):
        make_product(business, code=f"C{i:03d}", name=f"Producto {i:03d}")

    first = api.get(URL).json()
    second = api.get(URL, {"page": 2}).json()
    third = api.get(URL, {"page": 3}).json()

    assert [len(p["results"]) for p in (first, second, third)] == [60, 60, 5]
    assert (first["next_page"], second["next_page"], third["next_page"]) == (2, 3, None)
    names = [r["name"] for p in (first, second, third) for r in p["results"]]
    assert names == [f"Producto {i:03d}" for i in range(125)]


def test_q_matches_name_code_prefix_and_barcode_prefix(api, business):
    make_product(business, code="ARZ-1", name="Arroz Flor")
    make_product(business, code="AZU", name="Azúcar", barcode="7861000000012")
    make_product(business, code="X9", name="Harina de arroz")

    def names(q):
        return sorted(r["name"] for r in api.get(URL, {"q": q}).json()["results"])

    assert names("arroz") == ["Arroz Flor", "Harina de arroz"]
    assert names("arz") == ["Arroz Flor"]
    assert names("786100") == ["Azúcar"]


def test_category_filter_and_category_tabs(api, business, other_business):
    drinks = _category(business, "Bebidas", sort_order=2)
    bakery = _category(business, "Panadería", sort_order=1)
    _category(business, "Vacía")
    closed = _category(business, "Cerrada", is_active=False)
    make_product(business, code="A", name="Agua", category=drinks)
    make_product(business, code="P", name="Pan", category=bakery)
    make_product(business, code="Z", name="Zumo", category=closed)
    make_product(business, code="V", name="Vino", category=drinks, is_active=False)
    foreign = _category(other_business, "Ajena")
    make_product(other_business, code="A", name="Ajeno", category=foreign)

    tabs = api.get("/pos/api/categories").json()["results"]
    only_drinks = api.get(URL, {"category": drinks.pk}).json()["results"]
    foreign_tab = api.get(URL, {"category": foreign.pk}).json()["results"]

    assert tabs == [
        {"id": bakery.pk, "name": "Panadería"},
        {"id": drinks.pk, "name": "Bebidas"},
    ]
    assert [r["name"] for r in only_drinks] == ["Agua"]
    assert foreign_tab == []


def test_barcode_is_an_exact_match_of_this_business(api, business, other_business):
    make_product(business, code="AZU", name="Azúcar", barcode="7861000000012")
    make_product(other_business, code="OT", name="Ajeno", barcode="7861000000029")

    hit = api.get(URL, {"barcode": "7861000000012"}).json()
    prefix = api.get(URL, {"barcode": "786100000001"}).json()
    foreign = api.get(URL, {"barcode": "7861000000029"}).json()

    assert [r["name"] for r in hit["results"]] == ["Azúcar"]
    assert "quantity" not in hit["results"][0]
    assert prefix["results"] == [] and foreign["results"] == []


def _label(body: str) -> str:
    """An EAN-13 with its check digit."""
    from stdnum import ean

    return body + ean.calc_check_digit(body)


def test_scale_label_by_weight_gives_the_quantity(api, business):
    make_product(business, code="00042", name="Queso", unit="kg", price="10.00")
    code = _label("200004200750")

    off = api.get(URL, {"barcode": code}).json()
    _settings(business, scale_barcodes="weight")
    on = api.get(URL, {"barcode": code}).json()
    bad_check = api.get(URL, {"barcode": code[:-1] + str((int(code[-1]) + 1) % 10)})

    assert off["results"] == []
    ((row),) = on["results"]
    assert (row["name"], row["quantity"]) == ("Queso", "0.750")
    assert bad_check.json()["results"] == []


def test_scale_label_by_price_divides_by_the_gross_price(api, business):
    # 4.00 a kg without IVA = 4.60 with it; a label of 3.45 is 0.750 kg.
    make_product(business, code="42", name="Jamón", unit="kg", price="4.00")
    _settings(business, scale_barcodes="price")

    data = api.get(URL, {"barcode": _label("210004200345")}).json()

    assert [(r["name"], r["quantity"]) for r in data["results"]] == [("Jamón", "0.750")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "10001"}, "page"),
        ({"category": "x"}, "category"),
    ],
)
def test_bad_paging_or_category_is_a_400(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json()["field"] == field


def _grid_with(business, n):
    group_of = {}
    with tenant_context(business):
        group = ModifierGroup.objects.create(business=business, name=f"G{n}")
        ModifierOption.objects.create(business=business, group=group, name="o")
        group_of[n] = group
    for i in range(n):
        product = make_product(
            business,
            code=f"N{n}-{i}",
            name=f"N{n} {i}",
            category=_category(business, f"Cat {n}-{i}"),
        )
        with tenant_context(business):
            group.products.add(product)


def test_query_count_is_the_same_for_1_and_100_products(
    api, business, django_assert_max_num_queries
):
    from django.test.utils import CaptureQueriesContext

    _grid_with(business, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(URL, {"q": "N1 "}).json()["results"]) == 1
    _grid_with(business, 100)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = api.get(URL, {"q": "N100 "})
    assert len(response.json()["results"]) == 60


@pytest.mark.postgres
def test_barcode_look_up_uses_an_index(business):
    from django.db.models import QuerySet

    from backoffice.catalog.models import Product
    from pos.selectors import _products_for_pos

    with tenant_context(business):
        Product.objects.bulk_create(
            Product(
                business=business,
                code=f"B{i}",
                name=f"Producto {i}",
                barcode=f"{i:012d}",
                price=Decimal("1"),
            )
            for i in range(3000)
        )
    with tenant_context(business), connection.cursor() as cursor:
        qs: QuerySet = _products_for_pos(business=business).filter(
            barcode="000000001234"
        )
        sql, params = qs.query.sql_with_params()
        cursor.execute("ANALYZE catalog_product")  # 3,000 rows, not the empty table
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "product_biz_barcode" in plan, plan
