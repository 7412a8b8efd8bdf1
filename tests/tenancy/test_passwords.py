"""Password reset and change for every role; answers that name no account."""

import re

import pytest
from django.test import Client

from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Account, Membership
from tests.factories import UserFactory, membership

from .links import link_in

pytestmark = pytest.mark.django_db
NEW = "Otra-clave-larga-42"


@pytest.fixture
def waiter(business):
    user = UserFactory(username="mesero", email="mesero@negocio.ec")
    membership(business, user, "waiter")
    return user


def test_the_login_page_links_to_password_reset(client, db):
    page = client.get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in page
    reset = client.get("/admin/password_reset/")
    assert reset.status_code == 200
    assert "Recuperar contraseña" in reset.content.decode()


def test_reset_answers_the_same_whether_the_email_exists_or_not(
    client, waiter, mailoutbox
):
    known = client.post("/admin/password_reset/", {"email": "mesero@negocio.ec"})
    unknown = client.post("/admin/password_reset/", {"email": "nadie@negocio.ec"})
    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    done = client.get(known["Location"])
    assert "Si el correo pertenece a una cuenta" in done.content.decode()
    assert [m.to for m in mailoutbox] == [["mesero@negocio.ec"]]


def test_reset_link_sets_a_new_password_verifies_and_ends_other_sessions(
    client, waiter, mailoutbox
):
    elsewhere = Client()
    elsewhere.force_login(waiter)
    assert elsewhere.get("/pos/", follow=True).status_code == 200
    client.post("/admin/password_reset/", {"email": "mesero@negocio.ec"})
    (mail,) = mailoutbox
    assert "Contraseña nueva" in mail.subject
    page = client.get(link_in(mail, "/reset/"), follow=True)
    assert "Nueva contraseña" in page.content.decode()
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert "Contraseña guardada" in client.get(done["Location"]).content.decode()
    waiter.refresh_from_db()
    assert waiter.check_password(NEW)
    assert Account.objects.get(user=waiter).email_verified_at is not None
    assert elsewhere.get("/pos/").status_code == 302  # logged out
    # The link is spent.
    again = client.get(link_in(mail, "/reset/"), follow=True)
    assert "Enlace no válido" in again.content.decode()


def test_an_invited_account_without_a_password_can_reset_it(
    client, business, mailoutbox
):
    user = UserFactory(
        username="nueva@negocio.ec", email="nueva@negocio.ec", password=None
    )
    user.set_unusable_password()
    user.save()
    client.post("/admin/password_reset/", {"email": "nueva@negocio.ec"})
    assert [m.to for m in mailoutbox] == [["nueva@negocio.ec"]]


@pytest.mark.parametrize(
    "role", ["waiter", "cashier", "manager", "accountant", "owner"]
)
def test_every_role_changes_its_password(client, business, role):
    user = UserFactory()
    membership(business, user, role)
    client.force_login(user)
    page = client.get("/account/password/")
    assert page.status_code == 200
    assert "Cambiar contraseña" in page.content.decode()
    back = "/pos/" if role == "waiter" else "/admin/"
    assert page.context["back_url"] == back
    wrong = client.post(
        "/account/password/",
        {"old_password": "mala", "new_password1": NEW, "new_password2": NEW},
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    response = client.post(
        "/account/password/",
        {"old_password": "pass12345!", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert (
        "Su contraseña se cambió" in client.get(response["Location"]).content.decode()
    )
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/pos/", follow=True).status_code == 200  # still logged in


def test_password_change_needs_a_login(client, db):
    response = client.get("/account/password/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _login_error(client, username, password) -> str:
    response = client.post(
        "/admin/login/", {"username": username, "password": password}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    return " ".join(response.context["form"].non_field_errors())


def test_login_says_the_same_for_a_deactivated_member_and_a_wrong_password(
    client, business
):
    user = UserFactory(username="ex.cajero")
    membership(business, user, "cashier")
    with system_context():
        Membership.unscoped_objects.filter(user=user).update(is_active=False)
    right_password = _login_error(client, "ex.cajero", "pass12345!")
    wrong_password = _login_error(client, "ex.cajero", "otra-cosa")
    assert right_password == wrong_password
    assert "correctos" in right_password
    user.is_active = False
    user.save()
    assert _login_error(client, "ex.cajero", "pass12345!") == wrong_password


def test_adding_a_member_says_the_same_whether_the_email_has_an_account(
    client, business, owner, django_capture_on_commit_callbacks
):
    UserFactory(username="conocida", email="conocida@correo.ec")
    client.force_login(owner)

    def add(email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/admin/tenancy/membership/add/",
                {"email": email, "role": "cashier", "is_active": "on"},
                follow=True,
            )
        message = [str(m) for m in response.context["messages"]]
        # The same words but for the address typed and the new row's id.
        return response.status_code, [
            re.sub(r"/\d+/", "/N/", m.replace(email, "EMAIL")) for m in message
        ]

    known = add("conocida@correo.ec")
    unknown = add("desconocida@correo.ec")
    assert known == unknown
    assert "Enviamos a EMAIL un enlace" in known[1][0]
    listing = client.get("/admin/tenancy/membership/").content.decode()
    with system_context():
        pending = list(
            Membership.unscoped_objects.filter(
                business=business, accepted_at__isnull=True
            ).values_list("user__email", flat=True)
        )
    assert sorted(pending) == ["conocida@correo.ec", "desconocida@correo.ec"]
    assert "conocida@correo.ec" in listing
