"""Someone joins another business only through the link e-mailed to them."""

import pytest

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Account, Membership
from backoffice.tenancy.selectors import (
    invitation_list_for_user,
    membership_active_for,
    membership_list_for_user,
)
from backoffice.tenancy.services import account_email_verify
from pos.errors import VoidNotAllowedError
from pos.services import supervisor_pin_set, void_authorizer
from tests.factories import BusinessFactory, UserFactory, membership

from .links import link_in

pytestmark = pytest.mark.django_db
PASSWORD = "Clave-segura-2026"


@pytest.fixture
def elsewhere():
    """A person with a verified account: owner of their own shop."""
    user = UserFactory(email="ana@tienda.ec")
    user.set_password(PASSWORD)
    user.save()
    account_email_verify(user=user)
    membership(BusinessFactory(razon_social="Tienda de Ana S.A."), user, "owner")
    return user


@pytest.fixture
def invite(client, owner, mailoutbox, django_capture_on_commit_callbacks):
    """The owner adds an e-mail; returns (admin response, link path)."""

    def run(email, role="manager"):
        client.force_login(owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/admin/tenancy/membership/add/",
                {"email": email, "role": role, "is_active": "on"},
                follow=True,
            )
        assert response.status_code == 200
        client.logout()
        return response, link_in(mailoutbox[-1], "/invitations/")

    return run


def _invitation(business, user) -> Membership:
    with system_context():
        return Membership.unscoped_objects.get(business=business, user=user)


def test_adding_an_existing_account_invites_it_and_grants_nothing_yet(
    client, business, elsewhere, invite, mailoutbox
):
    response, link = invite(elsewhere.email)
    assert "Enviamos a ana@tienda.ec un enlace" in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == ["ana@tienda.ec"]
    assert business.razon_social in mail.subject
    assert link.startswith("/invitations/") and len(link) > 40
    invited = _invitation(business, elsewhere)
    assert invited.is_pending and invited.role == "manager"
    assert business not in [
        m.business for m in membership_list_for_user(user=elsewhere)
    ]
    assert membership_active_for(user=elsewhere, business_id=business.pk).business != (
        business
    )
    # switching to it is ignored until accepted
    client.force_login(elsewhere)
    client.post("/admin/switch-business/", {"business": business.pk})
    assert client.get("/admin/").context["current_business"] != business
    # a pending manager's PIN authorises nothing
    cashier = UserFactory()
    membership(business, cashier, "cashier")
    with tenant_context(business):
        supervisor_pin_set(business=business, membership=invited, pin="432198")
        with pytest.raises(VoidNotAllowedError):
            void_authorizer(business=business, actor=cashier, supervisor_pin="432198")


def test_the_invited_person_accepts_through_the_link(
    client, business, elsewhere, invite
):
    _, link = invite(elsewhere.email)
    # Not logged in: the link asks them to log in first, then comes back.
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/invitations/")
    client.force_login(elsewhere)
    index = client.get("/admin/")
    assert [m.business for m in index.context["pending_invitations"]] == [business]
    assert 'href="/invitations/"' in index.content.decode()  # the panel tells them
    page = client.get(link)
    assert page.status_code == 200
    assert business.razon_social in page.content.decode()
    response = client.post(link, {"action": "accept"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.session["business_id"] == business.pk
    assert client.get("/admin/").context["current_business"] == business
    assert not _invitation(business, elsewhere).is_pending
    assert invitation_list_for_user(user=elsewhere) == []
    # The link is spent.
    assert client.get(link).status_code == 404


def test_the_panel_cannot_accept_without_the_link(client, business, elsewhere, invite):
    invite(elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(elsewhere)
    page = client.get("/invitations/").content.decode()
    assert "abra el enlace que le enviamos" in page
    assert 'value="accept"' not in page
    response = client.post(
        "/invitations/", {"action": "accept", "membership": invited.pk}
    )
    assert response.status_code == 400
    assert _invitation(business, elsewhere).is_pending


def test_the_link_can_be_sent_again(client, business, elsewhere, invite, mailoutbox):
    invite(elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(elsewhere)
    response = client.post(
        "/invitations/", {"action": "resend", "membership": invited.pk}, follow=True
    )
    assert "Le enviamos el enlace de nuevo" in response.content.decode()
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["ana@tienda.ec"]
    assert (
        client.post(link_in(mailoutbox[1], "/invitations/"), {"action": "accept"})[
            "Location"
        ]
        == "/admin/"
    )
    assert not _invitation(business, elsewhere).is_pending


def test_declining_removes_the_offer(client, business, elsewhere, invite):
    invite(elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(elsewhere)
    response = client.post(
        "/invitations/", {"action": "decline", "membership": invited.pk}
    )
    assert response.status_code == 302
    with system_context():
        assert not Membership.unscoped_objects.filter(pk=invited.pk).exists()
    assert "No tiene invitaciones" in client.get("/invitations/").content.decode()


def test_nobody_else_can_answer_an_invitation(
    client, business, owner, elsewhere, invite
):
    _, link = invite(elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(owner)  # not the invited person, even with the link
    assert client.get(link).status_code == 404
    assert client.post(link, {"action": "accept"}).status_code == 404
    response = client.post(
        "/invitations/", {"action": "decline", "membership": invited.pk}
    )
    assert response.status_code == 404
    assert _invitation(business, elsewhere).is_pending
    client.force_login(elsewhere)
    forged = link[:-3] + ("xyz" if not link.endswith("xyz/") else "abc") + "/"
    assert client.post(forged, {"action": "accept"}).status_code == 404
    assert (
        client.post(
            "/invitations/", {"action": "decline", "membership": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/invitations/", {"action": "join", "membership": invited.pk}
        ).status_code
        == 400
    )
    assert _invitation(business, elsewhere).is_pending
    client.logout()
    response = client.get("/invitations/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_expired_link_accepts_nothing(
    client, business, elsewhere, invite, monkeypatch
):
    from datetime import timedelta

    from backoffice.tenancy import tokens

    _, link = invite(elsewhere.email)
    monkeypatch.setattr(tokens, "INVITATION_MAX_AGE", timedelta(seconds=-1))
    client.force_login(elsewhere)
    assert client.post(link, {"action": "accept"}).status_code == 404
    assert _invitation(business, elsewhere).is_pending


def test_a_new_person_sets_their_own_password_from_the_link(
    client, business, owner, invite, mailoutbox
):
    response, link = invite("nuevo@negocio.ec", role="cashier")
    assert "Enviamos a nuevo@negocio.ec un enlace" in response.content.decode()
    added = _invitation(
        business, UserFactory._meta.model.objects.get(email="nuevo@negocio.ec")
    )
    assert added.is_pending
    assert not added.user.has_usable_password()  # the owner never chose it
    page = client.get(link)
    assert page.status_code == 200
    assert "Elija la contraseña" in page.content.decode()
    weak = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400
    assert _invitation(business, added.user).is_pending
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    added = _invitation(business, added.user)
    assert not added.is_pending
    assert added.user.check_password(PASSWORD)
    assert Account.objects.get(user=added.user).email_verified_at is not None
    assert client.get("/admin/").context["current_business"] == business
    # Spent: the link cannot set the password again.
    client.logout()
    assert client.get(link).status_code == 404
    assert client.login(username="nuevo@negocio.ec", password=PASSWORD)


def test_someone_with_only_an_invitation_can_log_in_to_answer_it(client, business):
    owner = UserFactory()
    membership(business, owner, "owner")
    loner = UserFactory(email="solo@correo.ec")
    loner.set_password(PASSWORD)
    loner.save()
    with tenant_context(business):
        Membership.objects.create(
            business=business, user=loner, role="cashier", accepted_at=None
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": loner.username, "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/invitations/"
