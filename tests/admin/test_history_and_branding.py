"""Who changed what on the configuration, and the business's look in the header."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from admin_theme.branding import palette
from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import (
    Business,
    EmissionPoint,
    Establishment,
    Membership,
)
from tests.factories import UserFactory, membership


@pytest.fixture
def owner(business):
    user = UserFactory(username="duena.historia", first_name="Ana")
    membership(business, user, "owner")
    return user


def _history_page(client, url):
    page = client.get(url)
    assert page.status_code == 200
    return page.content.decode()


def test_establishment_change_is_recorded_with_its_author(client, business, owner):
    with tenant_context(business):
        establishment = Establishment.objects.get(code="001")
    client.force_login(owner)
    url = f"/admin/tenancy/establishment/{establishment.pk}/"
    response = client.post(
        url + "change/",
        {
            "code": "001",
            "name": "Local Centro",
            "address": "Av. 10 de Agosto, Quito",
            "is_active": "on",
            "_save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(business):
        last = establishment.history.latest("history_date")
    assert (last.history_type, last.name, last.history_user) == (
        "~",
        "Local Centro",
        owner,
    )
    html = _history_page(client, url + "history/")
    assert "duena.historia" in html
    assert "Local Centro" in html


def test_emission_point_change_is_recorded(client, business, owner):
    with tenant_context(business):
        point = EmissionPoint.objects.get(code="001")
    client.force_login(owner)
    url = f"/admin/tenancy/emissionpoint/{point.pk}/"
    response = client.post(
        url + "change/",
        {
            "establishment": point.establishment_id,
            "code": "001",
            "name": "Caja principal",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(business):
        last = point.history.latest("history_date")
    assert (last.name, last.history_user) == ("Caja principal", owner)
    assert "duena.historia" in _history_page(client, url + "history/")


def test_membership_change_is_recorded(client, business, owner):
    cashier = UserFactory(username="cajero.historia")
    member = membership(business, cashier, "cashier")
    client.force_login(owner)
    url = f"/admin/tenancy/membership/{member.pk}/"
    response = client.post(url + "change/", {"role": "manager", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_context(business):
        last = member.history.latest("history_date")
    assert (last.role, last.history_user) == ("manager", owner)
    html = _history_page(client, url + "history/")
    assert "duena.historia" in html


def test_business_change_is_recorded(client, business, owner):
    client.force_login(owner)
    url = f"/admin/tenancy/business/{business.pk}/"
    data = {
        "razon_social": business.razon_social,
        "nombre_comercial": "Nuevo Nombre",
        "direccion_matriz": business.direccion_matriz,
        "rimpe": "",
        "ambiente": "1",
        "mode": business.mode,
        "default_tax": business.default_tax,
        "prices_include_tax": "on",
        "service_charge_rate": "0",
        "final_consumer_limit": "50.00",
        "cashier_max_discount": "100",
        "scale_barcodes": "",
        "brand_color": "#0f766e",
        "receipt_footer": "",
        "contribuyente_especial": "",
    }
    response = client.post(url + "change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    last = business.history.latest("history_date")
    assert (last.nombre_comercial, last.history_user) == ("Nuevo Nombre", owner)
    assert "duena.historia" in _history_page(client, url + "history/")
    # The owner cannot change the RUC (read-only for tenants).
    business.refresh_from_db()
    assert business.ruc == last.ruc


def test_brand_colour_and_logo_in_the_admin_header(
    client, business, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#123456").save(buffer, "PNG")
    with system_context():
        business.brand_color = "#123456"
        business.logo = SimpleUploadedFile("marca.png", buffer.getvalue())
        business.save()
    client.force_login(owner)
    assert palette("#123456")["500"] == "rgb(18, 52, 86)"
    assert business.logo.url.startswith("/media/logos/marca")
    for url in ("/admin/", "/admin/tenancy/establishment/"):
        html = client.get(url).content.decode()
        assert "--color-primary-500: rgb(18, 52, 86)" in html
        assert f'src="{business.logo.url}"' in html


def test_header_names_the_business_without_a_logo(client, business, owner):
    client.force_login(owner)
    for url in ("/admin/", "/admin/tenancy/membership/"):
        html = client.get(url).content.decode()
        navigation = html.split("</nav>", 1)[0] if "</nav>" in html else html
        assert f"RUC {business.ruc}" in navigation, url
        assert str(business) in html.split('id="site-name"', 1)[1][:400], url


def test_other_businesses_keep_their_own_colour(client, business, other_business):
    with system_context():
        Business.objects.filter(pk=other_business.pk).update(brand_color="#abcdef")
    user = UserFactory()
    membership(other_business, user, "owner")
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "--color-primary-500: rgb(171, 205, 239)" in html
    assert "rgb(18, 52, 86)" not in html


def test_palette_mixes_towards_white_and_black():
    colours = palette("#808080")
    assert colours["500"] == "rgb(128, 128, 128)"
    assert colours["50"] == "rgb(249, 249, 249)"
    assert colours["950"] == "rgb(32, 32, 32)"


def test_membership_model_is_tracked():
    assert hasattr(Membership, "history")
