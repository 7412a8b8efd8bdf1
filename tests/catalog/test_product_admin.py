"""Product admin: prices with/without IVA, images, roles, actions, query counts."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from backoffice.catalog.models import Product
from backoffice.catalog.services import product_thumbnail_ensure
from backoffice.inventory.models import StockLevel
from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Establishment
from core.taxes import TaxCategory
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.catalog.helpers import inline_management

CHANGELIST = reverse("admin:catalog_product_changelist")
ADD = reverse("admin:catalog_product_add")


def change_url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


def product_form(client, url=ADD, **overrides):
    data = {
        "code": "A-1",
        "barcode": "",
        "name": "Café pasado",
        "category": "",
        "unit": "unit",
        "price_entered": "1.15",
        "price_includes_tax": "on",
        "tax_category": TaxCategory.IVA_15,
        "cost": "0.30",
        "track_stock": "on",
        "low_stock_threshold": "2",
        "is_active": "on",
    }
    data |= inline_management(client.get(url).content.decode())
    data |= overrides
    return {k: v for k, v in data.items() if v is not None}


def png(name="foto.png", fmt="PNG"):
    buffer = BytesIO()
    Image.new("RGB", (800, 600), "green").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_price_typed_with_iva_is_stored_without_it(owner_client, business):
    response = owner_client.post(ADD, product_form(owner_client))
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(business):
        product = Product.objects.get(code="A-1")
    assert product.price == Decimal("1.000000")
    assert product.price_includes_tax is True
    assert product.price_gross == Decimal("1.15")
    assert product.business_id == business.pk


def test_price_typed_without_iva_is_stored_as_typed(owner_client, business):
    data = product_form(owner_client, price_entered="2.50", price_includes_tax=None)
    assert owner_client.post(ADD, data).status_code == 302
    with tenant_context(business):
        product = Product.objects.get(code="A-1")
    assert product.price == Decimal("2.500000")
    assert product.price_includes_tax is False


def test_the_change_form_shows_the_price_the_way_it_was_typed(owner_client, tenant):
    product = ProductFactory(price=Decimal("3.913043"), price_includes_tax=True)
    html = owner_client.get(change_url(product)).content.decode()
    assert 'value="4.50"' in html


def test_a_wrong_ean_check_digit_is_a_form_error(owner_client, business):
    data = product_form(owner_client, barcode="4006381333932")
    response = owner_client.post(ADD, data)
    assert response.status_code == 200
    assert "dígito verificador" in response.content.decode()
    with tenant_context(business):
        assert not Product.objects.exists()


def test_duplicate_code_in_the_same_business_is_refused(owner_client, tenant):
    ProductFactory(code="A-1")
    response = owner_client.post(ADD, product_form(owner_client))
    assert response.status_code == 200
    assert Product.objects.filter(code="A-1").count() == 1


def test_the_same_code_is_free_in_another_business(
    owner_client, business, other_business
):
    with tenant_context(other_business):
        ProductFactory(code="A-1")
    assert owner_client.post(ADD, product_form(owner_client)).status_code == 302


def test_an_image_upload_makes_one_thumbnail(owner_client, business, media):
    data = product_form(owner_client, image=png())
    assert owner_client.post(ADD, data).status_code == 302
    with tenant_context(business):
        product = Product.objects.get(code="A-1")
        assert product.thumbnail.name.endswith(".webp")
        with Image.open(product.thumbnail.path) as thumb:
            assert max(thumb.size) == 320
        stamp = (media / product.thumbnail.name).stat().st_mtime_ns
        assert product_thumbnail_ensure(product=product) is False
        assert (media / product.thumbnail.name).stat().st_mtime_ns == stamp
    html = owner_client.get(CHANGELIST).content.decode()
    assert product.thumbnail.url in html


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("doc.png", b"%PDF-1.4 not an image"),
        "gif",
    ],
)
def test_a_bad_image_is_a_form_error_and_nothing_is_saved(
    owner_client, business, media, upload
):
    if upload == "gif":
        upload = png("anim.gif", fmt="GIF")
    response = owner_client.post(ADD, product_form(owner_client, image=upload))
    assert response.status_code == 200
    with tenant_context(business):
        assert not Product.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_cashier_and_accountant_view_but_cannot_change(role_client, tenant):
    product = ProductFactory()
    for role in ("cashier", "accountant"):
        client = role_client(role)
        assert client.get(CHANGELIST).status_code == 200
        assert client.get(change_url(product)).status_code == 200
        assert client.get(ADD).status_code == 403
        response = client.post(change_url(product), {"name": "cambiado"})
        assert response.status_code == 403
    product.refresh_from_db()
    assert product.name != "cambiado"


def test_waiter_cannot_open_the_catalog(role_client, tenant):
    assert role_client("waiter").get(CHANGELIST).status_code in (302, 403)


def test_changelist_shows_only_this_business(owner_client, business, other_business):
    with tenant_context(other_business):
        theirs = ProductFactory(name="Producto ajeno")
    with tenant_context(business):
        ProductFactory(name="Producto propio")
    html = owner_client.get(CHANGELIST).content.decode()
    assert "Producto propio" in html and "Producto ajeno" not in html
    assert owner_client.get(change_url(theirs)).status_code in (302, 404)
    search = owner_client.get(CHANGELIST, {"q": "ajeno"}).content.decode()
    assert "Producto ajeno" not in search


def _seed(business, n, prefix="Q"):
    with tenant_context(business):
        category = CategoryFactory()
        establishment = Establishment.objects.get(code="001")
        products = Product.objects.bulk_create(
            [
                Product(
                    business=business,
                    code=f"{prefix}{i:06d}",
                    name=f"Producto {i}",
                    category=category,
                    price=Decimal("1"),
                )
                for i in range(n)
            ]
        )
        StockLevel.objects.bulk_create(
            [
                StockLevel(
                    business=business,
                    product=p,
                    establishment=establishment,
                    quantity=Decimal(i % 5),
                )
                for i, p in enumerate(products)
            ]
        )


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"low_stock": "1"}, {"q": "Producto 1"}])
def test_changelist_queries_do_not_grow_with_products(
    owner_client, business, django_assert_max_num_queries, params
):
    _seed(business, 10)
    baseline = _count(owner_client, CHANGELIST, params)
    _seed(business, 10_000 - 10, prefix="R")
    with django_assert_max_num_queries(baseline):
        owner_client.get(CHANGELIST, params)


def test_low_stock_filter(owner_client, tenant):
    establishment = Establishment.objects.get(code="001")
    low = ProductFactory(name="Poco stock", low_stock_threshold=Decimal("5"))
    fine = ProductFactory(name="Bastante stock", low_stock_threshold=Decimal("5"))
    StockLevel.objects.create(
        business=tenant, product=low, establishment=establishment, quantity=2
    )
    StockLevel.objects.create(
        business=tenant, product=fine, establishment=establishment, quantity=50
    )
    html = owner_client.get(CHANGELIST, {"low_stock": "1"}).content.decode()
    assert "Poco stock" in html and "Bastante stock" not in html


def _action(client, action, products, **extra):
    data = {"action": action, "_selected_action": [p.pk for p in products], **extra}
    return client.post(CHANGELIST, data)


def test_bulk_deactivate_and_activate_with_history(owner_client, tenant):
    products = ProductFactory.create_batch(3)
    assert _action(owner_client, "deactivate", products).status_code == 302
    assert not Product.objects.filter(is_active=True).exists()
    assert products[0].history.count() == 2
    assert products[0].history.first().history_user is not None
    _action(owner_client, "activate", products[:1])
    assert Product.objects.filter(is_active=True).count() == 1


def test_bulk_change_category(owner_client, tenant):
    products = ProductFactory.create_batch(2)
    target = CategoryFactory(name="Destino")
    _action(owner_client, "set_category", products, category=target.pk)
    assert set(Product.objects.values_list("category__name", flat=True)) == {"Destino"}


def test_bulk_change_category_refuses_another_business_category(
    owner_client, business, other_business
):
    with tenant_context(other_business):
        theirs = CategoryFactory()
    with tenant_context(business):
        products = ProductFactory.create_batch(2)
        before = set(Product.objects.values_list("category_id", flat=True))
        _action(owner_client, "set_category", products, category=theirs.pk)
        assert set(Product.objects.values_list("category_id", flat=True)) == before


def test_bulk_change_price_by_percent_keeps_the_typed_price_round(owner_client, tenant):
    with_iva = ProductFactory(price=Decimal("3.913043"), price_includes_tax=True)
    without = ProductFactory(price=Decimal("2.000000"), price_includes_tax=False)
    preview = _action(owner_client, "change_price", [with_iva, without], percent="10")
    assert preview.status_code == 200  # confirmation first: nothing written yet
    html = preview.content.decode()
    assert "4,50" in html and "4,95" in html and "2,200000" in html
    with_iva.refresh_from_db()
    assert with_iva.price == Decimal("3.913043")
    _action(owner_client, "change_price", [with_iva, without], percent="10", post="yes")
    with_iva.refresh_from_db()
    without.refresh_from_db()
    assert with_iva.price_gross == Decimal("4.95")
    assert with_iva.price == Decimal("4.304348")
    assert without.price == Decimal("2.200000")


def test_bulk_actions_ignore_another_business_rows(
    owner_client, business, other_business
):
    with tenant_context(other_business):
        theirs = ProductFactory()
    _action(owner_client, "deactivate", [theirs])
    with tenant_context(other_business):
        theirs.refresh_from_db()
    assert theirs.is_active is True


def test_cashier_cannot_run_bulk_actions(role_client, tenant):
    products = ProductFactory.create_batch(2)
    _action(role_client("cashier"), "deactivate", products)
    assert Product.objects.filter(is_active=True).count() == 2


def test_duplicate_barcode_and_code_get_readable_errors(owner_client, tenant):
    ProductFactory(code="A-1", barcode="96385074")
    data = product_form(owner_client, barcode="96385074")
    html = owner_client.post(ADD, data).content.decode()
    assert "Ya existe un producto con este código." in html
    assert "Ya existe un producto con este código de barras." in html
