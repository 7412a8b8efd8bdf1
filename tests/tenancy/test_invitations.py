"""Someone who already has an account joins another business only if they accept."""

import pytest

from backoffice.tenancy.context import system_context, tenant_context
from backoffice.tenancy.models import Membership
from backoffice.tenancy.selectors import (
    invitation_list_for_user,
    membership_active_for,
    membership_list_for_user,
)
from pos.errors import VoidNotAllowedError
from pos.services import supervisor_pin_set, void_authorizer
from tests.factories import BusinessFactory, UserFactory, membership

pytestmark = pytest.mark.django_db
PASSWORD = "Clave-segura-2026"


@pytest.fixture
def elsewhere():
    """A person with an account: owner of their own shop."""
    user = UserFactory(email="ana@tienda.ec")
    user.set_password(PASSWORD)
    user.save()
    membership(BusinessFactory(razon_social="Tienda de Ana S.A."), user, "owner")
    return user


def _invite(client, owner, email, role="manager"):
    client.force_login(owner)
    response = client.post(
        "/admin/tenancy/membership/add/",
        {"email": email, "role": role, "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    client.logout()
    return response


def _invitation(business, user) -> Membership:
    with system_context():
        return Membership.unscoped_objects.get(business=business, user=user)


def test_adding_an_existing_account_invites_it_and_grants_nothing_yet(
    client, business, owner, elsewhere, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, owner, elsewhere.email)
    assert "cuando acepte la invitación" in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == ["ana@tienda.ec"]
    assert business.razon_social in mail.subject
    assert "http://testserver/invitations/" in mail.body
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
        supervisor_pin_set(business=business, membership=invited, pin="4321")
        with pytest.raises(VoidNotAllowedError):
            void_authorizer(business=business, actor=cashier, supervisor_pin="4321")


def test_the_invited_person_accepts_and_works_there(client, business, owner, elsewhere):
    _invite(client, owner, elsewhere.email)
    client.force_login(elsewhere)
    index = client.get("/admin/")
    assert [m.business for m in index.context["pending_invitations"]] == [business]
    assert 'href="/invitations/"' in index.content.decode()  # the panel tells them
    page = client.get("/invitations/")
    assert business.razon_social in page.content.decode()
    invited = _invitation(business, elsewhere)
    response = client.post(
        "/invitations/", {"action": "accept", "membership": invited.pk}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session["business_id"] == business.pk
    assert client.get("/admin/").context["current_business"] == business
    assert not _invitation(business, elsewhere).is_pending
    assert invitation_list_for_user(user=elsewhere) == []


def test_declining_removes_the_offer(client, business, owner, elsewhere):
    _invite(client, owner, elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(elsewhere)
    response = client.post(
        "/invitations/", {"action": "decline", "membership": invited.pk}
    )
    assert response.status_code == 302
    with system_context():
        assert not Membership.unscoped_objects.filter(pk=invited.pk).exists()
    assert "No tiene invitaciones" in client.get("/invitations/").content.decode()


def test_nobody_else_can_answer_an_invitation(client, business, owner, elsewhere):
    _invite(client, owner, elsewhere.email)
    invited = _invitation(business, elsewhere)
    client.force_login(owner)  # not the invited person
    for action in ("accept", "decline"):
        response = client.post(
            "/invitations/", {"action": action, "membership": invited.pk}
        )
        assert response.status_code == 404
    assert _invitation(business, elsewhere).is_pending
    client.force_login(elsewhere)
    assert (
        client.post(
            "/invitations/", {"action": "accept", "membership": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/invitations/", {"action": "join", "membership": invited.pk}
        ).status_code
        == 400
    )
    client.logout()
    response = client.get("/invitations/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_new_account_created_by_the_owner_needs_no_acceptance(
    client, business, owner, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/tenancy/membership/add/",
            {
                "email": "nuevo@negocio.ec",
                "password": PASSWORD,
                "role": "cashier",
                "is_active": "on",
            },
        )
    with tenant_context(business):
        added = Membership.objects.get(user__email="nuevo@negocio.ec")
    assert added.accepted_at is not None
    assert mailoutbox == []  # nothing to accept, nothing sent


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
