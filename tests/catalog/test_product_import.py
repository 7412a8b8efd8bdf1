"""Product import/export: lookups, validation per row, all-or-nothing, isolation."""

from decimal import Decimal

import tablib
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX

from backoffice.catalog.models import Category, Product
from backoffice.catalog.resources import ProductResource
from backoffice.inventory.models import StockLevel, StockMove
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.importing import FastXLSX, SpreadsheetCSV
from core.taxes import TaxCategory
from tests.catalog.factories import CategoryFactory, ProductFactory

HEADERS = [
    "Código",
    "Código de barras",
    "Nombre",
    "Categoría",
    "Precio",
    "Precio incluye IVA",
    "IVA",
    "Stock inicial",
]


def dataset(*rows, headers=HEADERS):
    return tablib.Dataset(*rows, headers=headers)


def run(data, dry_run=False, user=None):
    return ProductResource().import_data(data, dry_run=dry_run, user=user)


def errors_by_row(result):
    return {
        row.number: " ".join(str(m) for ms in row.error_dict.values() for m in ms)
        for row in result.invalid_rows
    } | {n: str(errs[0].error) for n, errs in result.row_errors()}


def test_import_creates_products_with_categories_taxes_and_initial_stock(tenant, owner):
    data = dataset(
        ["C1", "4006381333931", "Café", "Bebidas", "1.15", "Sí", "15 %", "10"],
        ["C2", "", "Arroz", "Abarrotes", "3.20", "no", "0", ""],
        ["C3", "", "Pan", "abarrotes", "0,50", "si", "IVA 5 %", "2.5"],
        ["C4", "", "Libro", "", "12", "sí", "exento", "0"],
        ["C5", "", "Agua", "Bebidas", "1", "no", "4", ""],
    )
    result = run(data, user=owner)
    assert not result.has_errors() and not result.has_validation_errors()
    products = {p.code: p for p in Product.objects.select_related("category")}
    assert products["C1"].price == Decimal("1.000000")
    assert products["C1"].tax_category == TaxCategory.IVA_15
    assert products["C1"].category.name == "Bebidas"
    assert products["C2"].price == Decimal("3.200000")
    assert products["C2"].tax_category == TaxCategory.IVA_0
    assert products["C3"].tax_category == TaxCategory.IVA_5
    assert products["C3"].category == products["C2"].category  # by name, any case
    assert products["C4"].tax_category == TaxCategory.EXENTO
    assert products["C4"].category is None
    assert products["C5"].tax_category == TaxCategory.IVA_15  # SRI code 4
    assert Category.objects.count() == 2
    levels = dict(StockLevel.objects.values_list("product__code", "quantity"))
    assert levels == {"C1": Decimal("10"), "C3": Decimal("2.5")}
    assert StockMove.objects.filter(reason=StockMove.Reason.INITIAL).count() == 2
    history = products["C1"].history.get()
    assert history.history_type == "+" and history.history_user == owner
    assert history.history_change_reason == "importación"
    assert (history.name, history.price, history.category_id, history.business_id) == (
        "Café",
        Decimal("1.000000"),
        products["C1"].category_id,
        tenant.pk,
    )
    assert Category.objects.get(name="Bebidas").history.get().history_user == owner


def test_every_bad_row_is_reported_and_nothing_is_written(tenant):
    ProductFactory(code="EXISTE", barcode="96385074")
    data = dataset(
        ["OK1", "", "Bien", "Nueva", "1", "no", "15", "5"],
        ["B1", "4006381333932", "Mal EAN", "", "1", "no", "15", ""],
        ["B2", "", "IVA raro", "", "1", "no", "7 %", ""],
        ["OK1", "", "Repetido", "", "1", "no", "15", ""],
        ["B4", "", "Sin precio", "", "", "no", "15", ""],
        ["B5", "96385074", "EAN ajeno", "", "1", "no", "15", ""],
        ["B6", "", "Precio malo", "", "uno", "no", "15", ""],
        ["B7", "", "Stock malo", "", "1", "no", "15", "-3"],
    )
    result = run(data)
    errors = errors_by_row(result)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8]
    assert "dígito verificador" in errors[2]
    assert "IVA desconocido" in errors[3]
    assert "repetido en el archivo (fila 1)" in errors[4]
    assert "Precio requerido" in errors[5]
    assert "EXISTE" in errors[6]
    assert "Número inválido" in errors[7]
    assert "negativo" in errors[8]
    assert list(Product.objects.values_list("code", flat=True)) == ["EXISTE"]
    assert not Category.objects.filter(name="Nueva").exists()
    assert not StockMove.objects.exists()


def test_import_updates_by_code_with_history(tenant, owner):
    product = ProductFactory(code="X1", name="Viejo", price=Decimal("1"))
    result = run(dataset(["X1", "", "Nuevo", "", "2.30", "no", "15", ""]), user=owner)
    assert not result.has_validation_errors()
    product.refresh_from_db()
    assert (product.name, product.price) == ("Nuevo", Decimal("2.300000"))
    assert product.history.count() == 2
    latest = product.history.first()
    assert (latest.history_type, latest.history_user, latest.name) == (
        "~",
        owner,
        "Nuevo",
    )
    assert latest.updated_at > product.history.last().updated_at
    # Importing the same values again changes nothing and records no history.
    run(dataset(["X1", "", "Nuevo", "", "2.30", "no", "15", ""]), user=owner)
    assert product.history.count() == 2


def test_initial_stock_for_a_stocked_product_is_refused(tenant):
    product = ProductFactory(code="X1")
    StockLevel.objects.create(
        business=tenant,
        product=product,
        establishment=tenant_establishment(tenant),
        quantity=3,
    )
    result = run(dataset(["X1", "", "N", "", "1", "no", "15", "9"]))
    assert "conteo físico" in errors_by_row(result)[1]


def tenant_establishment(business):
    from backoffice.tenancy.models import Establishment

    return Establishment.objects.get(business=business, code="001")


def test_lookups_never_match_another_business(business, other_business):
    with tenant_context(other_business):
        theirs = ProductFactory(code="SAME", name="De otro", barcode="96385074")
        CategoryFactory(name="Bebidas")
    with tenant_context(business):
        result = run(
            dataset(["SAME", "96385074", "Mío", "Bebidas", "1", "no", "15", "1"])
        )
        assert not result.has_validation_errors(), errors_by_row(result)
        mine = Product.objects.get(code="SAME")
        assert mine.business_id == business.pk and mine.name == "Mío"
        assert mine.category.business_id == business.pk
    with tenant_context(other_business):
        theirs.refresh_from_db()
        assert theirs.name == "De otro"
        assert Category.objects.filter(name="Bebidas").count() == 1


def test_export_contains_only_this_business(business, other_business):
    with tenant_context(other_business):
        ProductFactory(code="AJENO")
    with tenant_context(business):
        ProductFactory(code="PROPIO")
        exported = ProductResource().export()
    assert exported.headers[:5] == [
        "Código",
        "Código de barras",
        "Nombre",
        "Categoría",
        "Precio",
    ]
    assert exported["Código"] == ["PROPIO"]


def _snapshot():
    return list(
        Product.objects.order_by("code").values_list(
            "code",
            "barcode",
            "name",
            "category__name",
            "price",
            "price_includes_tax",
            "tax_category",
            "cost",
            "unit",
            "track_stock",
            "low_stock_threshold",
            "is_active",
        )
    )


def test_round_trip_export_import_is_identical(business, other_business):
    with tenant_context(business):
        ProductFactory(
            code="R1",
            barcode="4006381333931",
            price=Decimal("3.913043"),
            price_includes_tax=True,
            cost=Decimal("1.234567"),
            unit="kg",
        )
        ProductFactory(
            code="R2",
            category=None,
            price=Decimal("0.123457"),
            tax_category=TaxCategory.NO_OBJETO,
            is_active=False,
            track_stock=False,
        )
        ProductFactory(code="R3", tax_category=TaxCategory.IVA_0)
        before = _snapshot()
        for fmt in (XLSX(), FastXLSX(), CSV()):
            exported = ProductResource().export()
            raw = fmt.export_data(exported)
            loaded = fmt.create_dataset(raw)
            result = ProductResource().import_data(loaded)
            assert not result.has_validation_errors(), errors_by_row(result)
            assert not result.has_errors()
            assert {r.import_type for r in result.rows} == {"update"}
            assert _snapshot() == before
        # And into a fresh business: the same catalog appears there.
    with tenant_context(other_business):
        result = ProductResource().import_data(fmt.create_dataset(raw))
        assert not result.has_validation_errors()
        assert _snapshot() == before


def test_admin_import_preview_reports_rows_and_confirm_writes(owner_client, business):
    url = reverse("admin:catalog_product_import")
    good = "Código,Nombre,Precio,IVA\nA1,Uno,1.15,15\n"
    bad = good + "A2,Dos,1,99\n"
    response = owner_client.post(
        url,
        {
            "format": "0",
            "resource": "0",
            "import_file": _upload(bad),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "IVA: IVA desconocido: 99" in _text(html)
    assert "process_import" not in html  # no confirm step for a file with errors
    with tenant_context(business):
        assert not Product.objects.exists()
    preview = owner_client.post(
        url, {"format": "0", "resource": "0", "import_file": _upload(good)}
    ).content.decode()
    assert "process_import" in preview or "import_file_name" in preview
    confirm = _confirm_data(preview)
    done = owner_client.post(reverse("admin:catalog_product_process_import"), confirm)
    assert done.status_code == 302
    with tenant_context(business):
        assert list(Product.objects.values_list("code", flat=True)) == ["A1"]


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("productos.csv", text.encode(), content_type="text/csv")


def _confirm_data(html):
    import re

    data = {}
    form = html[html.index("process_import") :]
    for name, value in re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form):
        data.setdefault(name, value)
    for value, name in re.findall(r'value="([^"]*)"[^>]*name="(\w+)"', form):
        data.setdefault(name, value)
    return data


def _text(html):
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_blank_flags_keep_the_business_default_for_new_products(tenant):
    tenant.prices_include_tax = False
    tenant.save()
    result = run(
        dataset(
            ["N1", "", "Uno", "", "2", "", "15", ""],
            headers=HEADERS,
        )
    )
    assert not result.has_validation_errors(), errors_by_row(result)
    product = Product.objects.get(code="N1")
    assert product.price_includes_tax is False and product.price == Decimal("2")
    assert product.is_active is True


def test_a_bad_yes_no_value_is_reported(tenant):
    result = run(dataset(["N1", "", "Uno", "", "2", "quizás", "15", ""]))
    assert "Sí" in errors_by_row(result)[1]


def test_admin_imports_xlsx_through_preview_and_confirm(owner_client, business):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = tablib.Dataset(
        ["X1", "Uno", 1.15, "15 %", 4],
        headers=["Código", "Nombre", "Precio", "IVA", "Stock inicial"],
    )
    upload = SimpleUploadedFile("productos.xlsx", FastXLSX().export_data(data))
    url = reverse("admin:catalog_product_import")
    preview = owner_client.post(
        url, {"format": "1", "resource": "0", "import_file": upload}
    ).content.decode()
    with tenant_context(business):
        assert not Product.objects.exists()  # the preview writes nothing
    done = owner_client.post(
        reverse("admin:catalog_product_process_import"), _confirm_data(preview)
    )
    assert done.status_code == 302
    with tenant_context(business):
        product = Product.objects.get(code="X1")
        assert product.price == Decimal("1.000000")
        assert StockLevel.objects.get(product=product).quantity == Decimal("4")


def test_category_export_import_round_trip_and_isolation(
    owner_client, business, other_business
):
    from backoffice.catalog.resources import CategoryResource

    with tenant_context(other_business):
        CategoryFactory(name="Ajena")
    with tenant_context(business):
        CategoryFactory(name="Bebidas", color="#112233", icon="local_bar", sort_order=2)
        CategoryFactory(name="Postres", is_active=False)
        before = list(
            Category.objects.order_by("name").values_list(
                "name", "color", "icon", "sort_order", "is_active"
            )
        )
    response = owner_client.post(
        reverse("admin:catalog_category_export"), {"format": "0", "resource": "0"}
    )
    text = response.content.decode("utf-8-sig")
    assert "Bebidas" in text and "Ajena" not in text
    with tenant_context(business):
        loaded = SpreadsheetCSV().create_dataset(response.content)
        result = CategoryResource().import_data(loaded)
        assert not result.has_validation_errors()
        after = list(
            Category.objects.order_by("name").values_list(
                "name", "color", "icon", "sort_order", "is_active"
            )
        )
    assert after == before
