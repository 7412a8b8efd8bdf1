"""Sign-up: the e-mail is proven before the business exists; errors are form errors."""

import pytest
from django.contrib.auth import get_user_model

from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import (
    Account,
    Business,
    EmissionPoint,
    Establishment,
    Membership,
)
from tests.factories import UserFactory, valid_ruc

from .links import link_in

User = get_user_model()
PASSWORD = "Quito-Norte-2026"


@pytest.fixture
def form_data(db):
    return {
        "email": "Duena@Example.ec",
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


def _sign_up(client, data, mailoutbox) -> str:
    """Post the form; return the link e-mailed to the address."""
    before = counts()
    response = client.post("/signup/", data)
    assert response.status_code == 200
    assert "Revise su correo" in response.content.decode()
    assert counts() == before  # nothing exists until the link is followed
    assert "_auth_user_id" not in client.session
    assert mailoutbox[-1].to == [data["email"].lower()]
    return link_in(mailoutbox[-1], "/signup/confirm/")


def test_signup_page_renders(client, db):
    response = client.get("/signup/")
    assert response.status_code == 200
    assert "Crea tu negocio" in response.content.decode()
    assert 'name="password"' not in response.content.decode()


def test_signup_lands_in_a_working_back_office_after_the_link(
    client, form_data, mailoutbox
):
    link = _sign_up(client, form_data, mailoutbox)
    page = client.get(link)
    assert page.status_code == 200
    assert "duena@example.ec" in page.content.decode()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"

    user = User.objects.get(email="duena@example.ec")
    assert user.check_password(PASSWORD)
    assert Account.objects.get(user=user).email_verified_at is not None
    with system_context():
        business = Business.objects.get(ruc=form_data["ruc"])
        establishment = Establishment.objects.get(business=business)
        point = EmissionPoint.objects.get(business=business)
        owner = Membership.objects.get(business=business)
    assert (business.razon_social, business.mode) == (
        "Cafetería La Ronda S.A.",
        "restaurant",
    )
    assert not business.ruc_verified  # a claim until a certificate proves it
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
    assert client.get("/pos/", follow=True).status_code == 200  # the floor
    # The new owner can also log in again through the login page.
    client.logout()
    login = client.post(
        "/admin/login/", {"username": "duena@example.ec", "password": PASSWORD}
    )
    assert (login.status_code, login["Location"]) == (302, "/admin/")
    # The link is spent: it creates nothing more.
    before = counts()
    again = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert again.status_code == 400
    assert "ya se usó" in again.content.decode()
    assert counts() == before


def test_before_the_link_nobody_can_log_in(client, form_data, mailoutbox):
    _sign_up(client, form_data, mailoutbox)
    assert not client.login(username="duena@example.ec", password=PASSWORD)
    assert not User.objects.filter(email__iexact="duena@example.ec").exists()


@pytest.mark.parametrize("token", ["x", "eyJmYWtlIjoxfQ:1abc:xyz"])
def test_a_forged_link_creates_nothing(client, db, token):
    before = counts()
    assert client.get(f"/signup/confirm/{token}/").status_code == 404
    response = client.post(
        f"/signup/confirm/{token}/",
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 404
    assert counts() == before


def test_an_expired_link_creates_nothing(client, form_data, mailoutbox, settings):
    link = _sign_up(client, form_data, mailoutbox)
    settings.PASSWORD_RESET_TIMEOUT = -1
    before = counts()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 404
    assert counts() == before


def test_a_known_email_gets_the_same_page_and_nothing_is_created(
    client, form_data, mailoutbox
):
    """No enumeration: the page is identical; the mail goes to the account."""
    first = client.post("/signup/", form_data)
    UserFactory(username="otra", email="duena@example.ec")
    before = counts()
    second = client.post("/signup/", {**form_data, "ruc": valid_ruc()})
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert counts() == before
    mail = mailoutbox[-1]
    assert mail.to == ["duena@example.ec"]
    assert "ya tiene una cuenta" in mail.body
    assert "/signup/confirm/" not in mail.body
    assert "http://testserver/admin/password_reset/" in mail.body


def test_email_already_used_as_username(client, form_data, mailoutbox):
    UserFactory(username="duena@example.ec", email="x@example.ec")
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 200
    assert counts() == before
    assert "ya tiene una cuenta" in mailoutbox[-1].body


def test_an_account_made_meanwhile_wins_over_the_link(client, form_data, mailoutbox):
    link = _sign_up(client, form_data, mailoutbox)
    UserFactory(username="duena@example.ec", email="duena@example.ec")
    before = counts()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 400
    assert counts() == before


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
    return response


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


@pytest.mark.parametrize(
    "password",
    ["corta1", "12345678901", "password123", "duena@example.ec"],
)
def test_weak_password_at_the_link(client, form_data, mailoutbox, password):
    link = _sign_up(client, form_data, mailoutbox)
    before = counts()
    response = client.post(link, {"new_password1": password, "new_password2": password})
    assert response.status_code == 400
    assert "new_password2" in response.context["form"].errors
    assert counts() == before


def test_passwords_that_differ(client, form_data, mailoutbox):
    link = _sign_up(client, form_data, mailoutbox)
    before = counts()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": "x"})
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize("missing", ["email", "ruc", "razon_social", "mode"])
def test_required_fields(client, form_data, mailoutbox, missing):
    form_data.pop(missing)
    before = counts()
    response = client.post("/signup/", form_data)
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert counts() == before
    assert mailoutbox == []
