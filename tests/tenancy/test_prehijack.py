"""Account pre-hijacking (issue 10): the attack, end to end through the views.

An attacker signs up, adds a victim's e-mail as a member of their own business
(once with a password they chose), and waits for a real business to invite
that e-mail, to accept in the victim's name and read that business's data.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client

from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Account, Membership
from backoffice.tenancy.tokens import INVITATION_SALT
from tests.factories import BusinessFactory, UserFactory, membership, valid_ruc

from .links import link_in, mail_to

pytestmark = pytest.mark.django_db
User = get_user_model()
ATTACKER = "atacante@malo.ec"
VICTIM = "victima@correo.ec"
KNOWN = "Clave-del-atacante-1"


@pytest.fixture
def attacker(client, mailoutbox):
    """The attacker's own business, signed up through the views."""
    client.post(
        "/signup/",
        {
            "email": ATTACKER,
            "ruc": valid_ruc(),
            "razon_social": "Fachada S.A.",
            "direccion_matriz": "Quito",
            "mode": "retail",
        },
    )
    link = link_in(mail_to(mailoutbox, ATTACKER)[-1], "/signup/confirm/")
    response = client.post(link, {"new_password1": KNOWN, "new_password2": KNOWN})
    assert response["Location"] == "/admin/"
    return client


@pytest.fixture
def victim_business(db):
    """The real business that will later invite the victim."""
    business = BusinessFactory(razon_social="Negocio Real S.A.")
    owner = UserFactory()
    membership(business, owner, "owner")
    return business, owner


def attacker_business(client):
    return client.get("/admin/").context["current_business"]


def _add_member(client, data, capture):
    with capture(execute=True):
        return client.post("/admin/tenancy/membership/add/", data, follow=True)


def _pending(business, user):
    with system_context():
        return Membership.unscoped_objects.get(business=business, user=user)


def test_the_attacker_never_knows_the_password_of_an_account_they_add(
    attacker, mailoutbox, django_capture_on_commit_callbacks
):
    response = _add_member(
        attacker,
        # The old form took a password; the e-mail path ignores it now.
        {"email": VICTIM, "password": KNOWN, "role": "cashier", "is_active": "on"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    victim = User.objects.get(email=VICTIM)
    assert not victim.has_usable_password()
    assert not Client().login(username=VICTIM, password=KNOWN)
    # The set-password link goes to the victim's mailbox only.
    (mail,) = mail_to(mailoutbox, VICTIM)
    assert all(ATTACKER not in m.to for m in mail_to(mailoutbox, VICTIM))
    assert "/invitations/" in mail.body


def test_the_pre_hijack_attack_fails_end_to_end(
    attacker, victim_business, mailoutbox, django_capture_on_commit_callbacks
):
    business, owner = victim_business
    # 1. The attacker adds the victim's e-mail to their own business.
    _add_member(
        attacker,
        {"email": VICTIM, "role": "cashier", "is_active": "on"},
        django_capture_on_commit_callbacks,
    )
    victim = User.objects.get(email=VICTIM)
    # 2. A real business adds the same e-mail: an invitation, like any other.
    real = Client()
    real.force_login(owner)
    response = _add_member(
        real,
        {"email": VICTIM, "role": "manager", "is_active": "on"},
        django_capture_on_commit_callbacks,
    )
    assert "Enviamos a victima@correo.ec un enlace" in response.content.decode()
    invited = _pending(business, victim)
    assert invited.is_pending
    real_link = link_in(mail_to(mailoutbox, VICTIM)[-1], "/invitations/")
    # 3. The attacker cannot log in as the victim: no password they know.
    thief = Client()
    assert not thief.login(username=VICTIM, password=KNOWN)
    login = thief.post("/admin/login/", {"username": VICTIM, "password": KNOWN})
    assert login.status_code == 200 and "_auth_user_id" not in thief.session
    # Nor ask for a reset: that link goes to the victim's mailbox.
    sent = len(mailoutbox)
    thief.post("/admin/password_reset/", {"email": VICTIM})
    assert [m.to for m in mailoutbox[sent:]] == [[VICTIM]]
    # 4. Nothing of the real business is visible to the attacker's own login.
    assert attacker.get("/admin/").context["current_business"] != business
    attacker.post("/admin/switch-business/", {"business": business.pk})
    assert attacker.get("/admin/").context["current_business"] != business
    # The link is the credential and reaches only the victim's mailbox; one
    # the attacker makes up (signed without our key) opens nothing.
    forged = signing.dumps(
        {"m": invited.pk, "u": victim.pk, "e": VICTIM},
        key="not-the-server-key",
        salt=INVITATION_SALT,
    )
    assert attacker.get(f"/invitations/{forged}/").status_code == 404
    assert (
        attacker.post(
            f"/invitations/{forged}/",
            {"new_password1": KNOWN, "new_password2": KNOWN},
        ).status_code
        == 404
    )
    assert _pending(business, victim).is_pending
    assert not User.objects.get(pk=victim.pk).has_usable_password()
    # 5. The victim follows the real link, chooses a password and joins.
    joined = Client().post(
        real_link,
        {"new_password1": "Clave-victima-77", "new_password2": "Clave-victima-77"},
    )
    assert joined.status_code == 302
    assert not _pending(business, victim).is_pending
    assert _pending(attacker_business(attacker), victim).is_pending  # never accepted


def test_an_unverified_account_with_a_known_password_cannot_accept(
    client, victim_business, mailoutbox, django_capture_on_commit_callbacks
):
    """The accounts the old code made: the attacker chose the password.

    Even holding the victim's invitation link (it reaches only the victim's
    mailbox), a login that never proved its e-mail cannot join; once the
    victim proves the mailbox by choosing a new password, the attacker's
    session ends and the victim accepts.
    """
    business, owner = victim_business
    front = BusinessFactory(razon_social="Fachada S.A.")
    victim = UserFactory(username=VICTIM, email=VICTIM)
    victim.set_password(KNOWN)
    victim.save()
    membership(front, victim, "cashier")  # made by the attacker's business
    assert not Account.objects.filter(user=victim).exists()

    real = Client()
    real.force_login(owner)
    _add_member(
        real,
        {"email": VICTIM, "role": "manager", "is_active": "on"},
        django_capture_on_commit_callbacks,
    )
    real_link = link_in(mail_to(mailoutbox, VICTIM)[-1], "/invitations/")
    invited = _pending(business, victim)

    thief = Client()
    assert thief.login(username=VICTIM, password=KNOWN)
    # On the panel there is no way to accept.
    assert (
        thief.post(
            "/invitations/", {"action": "accept", "membership": invited.pk}
        ).status_code
        == 400
    )
    # A made-up link is refused.
    assert thief.post("/invitations/abc:def:ghi/", {"action": "accept"}).status_code
    assert _pending(business, victim).is_pending
    # Even the real link is refused: the account never proved its e-mail.
    response = thief.post(real_link, {"action": "accept"})
    assert response.status_code == 403
    assert "confirmó su correo" in response.content.decode()
    assert _pending(business, victim).is_pending
    assert thief.get("/admin/").context["current_business"] != business
    thief.post("/admin/switch-business/", {"business": business.pk})
    assert thief.get("/admin/").context["current_business"] != business

    # The victim proves the mailbox with a new password...
    owner_of_mailbox = Client()
    owner_of_mailbox.post("/admin/password_reset/", {"email": VICTIM})
    reset = link_in(mail_to(mailoutbox, VICTIM)[-1], "/reset/")
    form = owner_of_mailbox.get(reset, follow=True)
    owner_of_mailbox.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "Clave-de-la-victima-9",
            "new_password2": "Clave-de-la-victima-9",
        },
    )
    # ... which ends the attacker's session and lets the victim accept.
    assert thief.get("/admin/").status_code == 302
    assert owner_of_mailbox.login(username=VICTIM, password="Clave-de-la-victima-9")
    response = owner_of_mailbox.post(real_link, {"action": "accept"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not _pending(business, victim).is_pending


def test_a_local_login_can_never_be_invited(
    client,
    business,
    owner,
    victim_business,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Staff without a mailbox: a login of one business, no e-mail, no way out."""
    client.force_login(owner)
    response = _add_member(
        client,
        {
            "local_name": "maria",
            "password": "Caja-maria-2026",
            "role": "cashier",
            "is_active": "on",
        },
        django_capture_on_commit_callbacks,
    )
    username = f"maria@{business.ruc}"
    assert f"ingresa como {username}" in response.content.decode()
    maria = User.objects.get(username=username)
    assert maria.email == "" and maria.account.is_local
    assert mailoutbox == []
    assert Client().login(username=username, password="Caja-maria-2026")
    # Another business cannot invite it (not an e-mail), nor reach it by reset.
    other, other_owner = victim_business
    client.force_login(other_owner)
    response = client.post(
        "/admin/tenancy/membership/add/",
        {"email": username, "role": "manager", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    with system_context():
        assert list(
            Membership.unscoped_objects.filter(user=maria).values_list(
                "business_id", flat=True
            )
        ) == [business.pk]
    client.post("/admin/password_reset/", {"email": username})
    assert mailoutbox == []
