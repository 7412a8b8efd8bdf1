"""Sign-up: a new owner lands in a working back office; every error is a form error."""

import pytest
from django.contrib.auth import get_user_model

from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Business, EmissionPoint, Establishment, Membership
from tests.factories import BusinessFactory, UserFactory, valid_ruc

User = get_user_model()


@pytest.fixture
def form_data(db):
    return {
        "email": "Duena@Example.ec",
        "password": "Quito-Norte-2026",
        "ruc": valid_ruc(),
        "razon_social": "Cafetería La Ronda S.A.",
        "nombre_comercial": "La Ronda",
        "direccion_matriz": "Calle La Ronda y Guayaquil, Quito",
        "mode": "restaurant",
    }


def counts():
    with system_context():
        return (
            User.objects.count(),
            Business.objects.count(),
            Establishment.objects.count(),
            EmissionPoint.objects.count(),
            Membership.objects.count(),
        )


def test_signup_page_renders(client, db):
    response = client.get("/signup/")
    assert response.status_code == 200
    assert "Crea tu negocio" in response.content.decode()


def test_signup_lands_in_a_working_back_office(client, form_data):
    response = client.post("/signup/", form_data)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"

    user = User.objects.get(email="duena@example.ec")
    assert user.check_password("Quito-Norte-2026")
    with system_context():
        business = Business.objects.get(ruc=form_data["ruc"])
        establishment = Establishment.objects.get(business=business)
        point = EmissionPoint.objects.get(business=business)
        owner = Membership.objects.get(business=business)
    assert (business.razon_social, business.mode) == (
        "Cafetería La Ronda S.A.",
        "restaurant",
    )
    assert (establishment.code, point.code, point.establishment_id) == (
        "001",
        "001",
        establishment.pk,
    )
    assert (owner.user, owner.role) == (user, "owner")
    assert int(client.session["_auth_user_id"]) == user.pk

    home = client.get("/admin/")
    assert home.status_code == 200
    assert home.context["current_business"] == business
    assert "La Ronda" in home.content.decode()
    assert client.get("/admin/tenancy/establishment/").status_code == 200
    assert client.get("/pos/").status_code == 200
    # The new owner can also log in again through the login page.
    client.logout()
    login = client.post(
        "/admin/login/",
        {"username": "duena@example.ec", "password": "Quito-Norte-2026"},
    )
    assert (login.status_code, login["Location"]) == (302, "/admin/")


def _rejected(client, data, field, message):
    before = counts()
    response = client.post("/signup/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_bad_ruc_check_digit(client, form_data):
    ruc = form_data["ruc"]
    form_data["ruc"] = ruc[:9] + str((int(ruc[9]) + 1) % 10) + ruc[10:]
    _rejected(client, form_data, "ruc", "dígito verificador")


@pytest.mark.parametrize("ruc", ["179039317800", "17903931780011", "17903931780AB"])
def test_ruc_of_wrong_length_or_not_digits(client, form_data, ruc):
    form_data["ruc"] = ruc
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 400
    assert "ruc" in response.context["form"].errors
    assert counts() == before


def test_duplicate_ruc(client, form_data):
    BusinessFactory(ruc=form_data["ruc"])
    _rejected(client, form_data, "ruc", "ya está registrado")


def test_duplicate_email(client, form_data):
    UserFactory(username="otra", email="duena@example.ec")
    _rejected(client, form_data, "email", "Ya existe una cuenta")


def test_email_already_used_as_username(client, form_data):
    UserFactory(username="duena@example.ec", email="x@example.ec")
    _rejected(client, form_data, "email", "Ya existe una cuenta")


@pytest.mark.parametrize(
    "password",
    ["corta1", "12345678901", "password123", "duena@example.ec"],
)
def test_weak_password(client, form_data, password):
    form_data["password"] = password
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert counts() == before


@pytest.mark.parametrize("missing", ["email", "ruc", "razon_social", "mode"])
def test_required_fields(client, form_data, missing):
    form_data.pop(missing)
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert counts() == before


def test_duplicate_ruc_registered_concurrently(client, form_data, monkeypatch):
    """The RUC is taken between validation and saving: a form error, not a 500."""
    from backoffice.tenancy.forms import SignupForm

    monkeypatch.setattr(SignupForm, "clean_ruc", lambda self: self.cleaned_data["ruc"])
    BusinessFactory(ruc=form_data["ruc"])
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 400
    assert "acaba de ser registrado" in response.content.decode()
    assert counts() == before
