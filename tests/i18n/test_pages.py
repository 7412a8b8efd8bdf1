"""Rendered pages speak one language: no English on Spanish pages, and back.

Every demo role logs in with the language cookie set and opens the main
back-office pages (index, a filtered changelist, a change form, a history,
the import page, reports, refusals), the login and the logout page; the
visible text (tags, scripts and styles stripped) must hold none of the other
language's known words.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.catalog.models import Product
from backoffice.catalog.resources import ProductResource
from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Membership
from fiscal.models import ElectronicDocument
from pos.models import Sale
from tests.i18n.visible import found, visible_text

ENGLISH = [
    "Search apps", "Search", "Filters", "Filter", "Category", "History", "Log in",
    "Log out", "Logged out", "logged out", "Welcome", "Import finished", "Import",
    "Export", "Add", "Save", "Change", "Changed", "Changes", "Delete", "Deleted",
    "Changed by", "Change reason", "Created", "Created at", "created at",
    "Updated at", "Product", "User", "Establishment", "Emission point", "Business",
    "Password", "Username", "Select", "Previous", "Next", "Reset", "Apply",
    "Cancel", "Name", "Date", "Comment", "Object", "Yes", "True", "False",
    "Sales", "Settings", "Reports", "Dashboard", "Forbidden", "Permission denied",
    "Run", "Submit", "Show counts", "Today", "Any date", "Light", "Dark", "None",
]  # fmt: skip
SPANISH = [
    "Buscar", "Filtros", "Categoría", "Categorías", "Historial", "Histórico",
    "Iniciar sesión", "Cerrar sesión", "Añadir", "Agregar", "Guardar", "Eliminar",
    "Modificar", "Cambiar", "Ventas", "Productos", "Configuración", "Reportes",
    "Importar", "Exportar", "Cancelar", "Contraseña", "Usuario", "Seleccionar",
    "Anulaciones", "Clientes", "Panel", "Sí", "Desde", "Hasta", "Fecha", "Precio",
    "creado", "actualizado", "negocio", "Sin acceso", "Volver", "Enviar",
    "Bienvenido", "Ha cerrado sesión", "Importación terminada", "Cualquier fecha",
]  # fmt: skip
OTHER_LANGUAGE = {"es": ENGLISH, "en": SPANISH}

BACK_OFFICE = [
    "restaurante",
    "cajero.restaurante",
    "tienda",
    "cajero.tienda",
    "contador.tienda",
]


def _pages(username):
    with system_context():
        business = Membership._base_manager.get(user__username=username).business
        product = Product._base_manager.filter(business=business).first()
        sale = Sale._base_manager.filter(business=business).first()
        document = ElectronicDocument._base_manager.filter(business=business).first()
    return [
        "/admin/",
        "/admin/catalog/product/",
        "/admin/catalog/product/?is_active__exact=1&tax_category__exact=4",
        f"/admin/catalog/product/{product.pk}/change/",
        f"/admin/catalog/product/{product.pk}/history/",
        "/admin/catalog/product/import/",
        "/admin/catalog/category/",
        "/admin/inventory/stockmove/",
        "/admin/inventory/stocklevel/",
        "/admin/pos/sale/",
        f"/admin/pos/sale/{sale.pk}/change/",
        f"/admin/fiscal/electronicdocument/{document.pk}/change/",
        f"/admin/tenancy/business/{business.pk}/change/",
        "/admin/tenancy/membership/add/",
        "/admin/inventory/stockcount/add/",
        "/admin/customers/customer/",
        "/admin/pos/cashsession/",
        "/admin/fiscal/electronicdocument/",
        "/admin/tenancy/business/",
        "/admin/tenancy/membership/",
        "/reports/",
    ]


def _client(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _login(client, username):
    response = client.post(
        "/admin/login/", {"username": username, "password": "demo1234"}
    )
    assert response.status_code == 302, username


def _file_columns() -> list[str]:
    """The spreadsheet's column names: a file format, Spanish in every language
    (like the demo data), listed by the import page and its preview."""
    names = {f.column_name for f in ProductResource().get_import_fields()}
    return sorted(names, key=len, reverse=True)


def _assert_in_language(lang, url, response):
    text = visible_text(response.content.decode())
    for column in _file_columns():
        text = text.replace(column, " ")
    assert text.strip(), url
    assert found(OTHER_LANGUAGE[lang], text) == [], f"{url} ({lang}): {text[:3000]}"


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("username", BACK_OFFICE)
def test_back_office_pages_speak_one_language(demo, db, client, username, lang):
    _login(_client(client, lang), username)
    statuses = {}
    for url in _pages(username):
        response = client.get(url)
        statuses[url] = response.status_code
        assert response.status_code in (200, 403), (url, response.status_code)
        _assert_in_language(lang, url, response)
    assert statuses["/admin/"] == 200
    assert statuses["/admin/catalog/product/"] == 200


@pytest.mark.parametrize("lang", ["es", "en"])
def test_login_logout_and_waiter_pages_speak_one_language(demo, db, client, lang):
    _client(client, lang)
    _assert_in_language(lang, "login", client.get("/admin/login/"))
    _login(client, "mesero.restaurante")
    for url in ("/admin/", "/pos/", "/reports/"):
        # /pos/ sends a waiter on to the floor (issue 12).
        _assert_in_language(lang, url, client.get(url, follow=True))
    logout = client.post("/admin/logout/")
    assert logout.status_code == 200
    _assert_in_language(lang, "logout", logout)


def _confirm_data(html):
    form = html[html.index("process_import") :]
    data = {}
    for name, value in re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form):
        data.setdefault(name, value)
    for value, name in re.findall(r'value="([^"]*)"[^>]*name="(\w+)"', form):
        data.setdefault(name, value)
    return data


@pytest.mark.parametrize(
    "lang,expected", [("es", "Importación terminada"), ("en", "Import finished")]
)
def test_import_preview_and_result_speak_one_language(demo, db, client, lang, expected):
    _login(_client(client, lang), "tienda")
    upload = SimpleUploadedFile(
        "productos.csv",
        "Código,Nombre,Precio,IVA\nZ9,Nuevo,1.15,15\n".encode(),
        content_type="text/csv",
    )
    url = reverse("admin:catalog_product_import")
    preview = client.post(url, {"format": "0", "resource": "0", "import_file": upload})
    _assert_in_language(lang, "import preview", preview)
    done = client.post(
        reverse("admin:catalog_product_process_import"),
        _confirm_data(preview.content.decode()),
        follow=True,
    )
    text = visible_text(done.content.decode())
    assert expected in text
    _assert_in_language(lang, "import result", done)
