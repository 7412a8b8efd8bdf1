"""Brute force on the login (issue 10): lockout per account and per address."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from backoffice.throttle.models import Attempt
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db
PASSWORD = "pass12345!"  # UserFactory's
LOCKED = "Demasiados intentos"


def _login(client, username, password, ip="203.0.113.7", **extra):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def _errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_25_wrong_passwords_then_the_right_one_is_refused(client, business):
    """The red team's attack: the right password after 25 guesses got in."""
    staff = UserFactory()
    membership(business, staff, "cashier")
    for i in range(25):
        _login(client, staff.username, f"guess-{i}")
    response = _login(client, staff.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in _errors(response)
    assert LOCKED in response.content.decode()  # shown on the login page
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_from_many_addresses(client, business):
    staff = UserFactory()
    membership(business, staff, "cashier")
    for i in range(5):
        assert (
            _login(client, staff.username, "wrong", ip=f"198.51.100.{i}").status_code
            == 200
        )
    response = _login(client, staff.username, PASSWORD, ip="192.0.2.55")
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for _ in range(4):
        _login(client, staff.username, "wrong")
    assert _login(client, staff.username, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_success_starts_the_account_afresh(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for _ in range(4):
        _login(client, staff.username, "wrong")
    assert _login(client, staff.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, staff.username, "wrong")
    assert _login(client, staff.username, PASSWORD).status_code == 302


def test_empty_password_neither_counts_as_success(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for _ in range(5):
        _login(client, staff.username, "wrong")
    _login(client, staff.username, "")
    assert _login(client, staff.username, PASSWORD).status_code == 429


def test_lockout_is_the_same_for_an_account_that_does_not_exist(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for name in (staff.username, "nadie-existe"):
        for _ in range(5):
            _login(client, name, "wrong", ip="198.51.100.1")
    real = _login(client, staff.username, "wrong", ip="198.51.100.2")
    ghost = _login(client, "nadie-existe", "wrong", ip="198.51.100.3")
    assert real.status_code == ghost.status_code == 429
    assert _errors(real) == _errors(ghost)
    assert "15 minutos" in _errors(real)


def test_case_of_the_name_does_not_reset_the_count(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for i in range(5):
        _login(client, staff.username.upper() if i % 2 else staff.username, "x")
    assert _login(client, staff.username, PASSWORD).status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for i in range(20):
        _login(client, f"persona{i}", "wrong", ip="198.51.100.9")
    assert (
        _login(client, staff.username, PASSWORD, ip="198.51.100.9").status_code == 429
    )
    assert (
        _login(client, staff.username, PASSWORD, ip="198.51.100.10").status_code == 302
    )


def test_lockout_ends_after_the_window(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for _ in range(5):
        _login(client, staff.username, "wrong")
    Attempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _login(client, staff.username, PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for i in range(20):
        _login(
            client, f"p{i}", "w", ip="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        )
    response = _login(
        client,
        staff.username,
        PASSWORD,
        ip="198.51.100.9",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, business):
    staff = UserFactory()
    membership(business, staff, "owner")
    for i in range(20):
        # The client forged a first entry; the proxy appended the real one.
        _login(
            client,
            f"p{i}",
            "w",
            ip="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 198.51.100.20",
        )
    blocked = _login(
        client,
        staff.username,
        PASSWORD,
        ip="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert blocked.status_code == 429
    other = _login(
        client,
        staff.username,
        PASSWORD,
        ip="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.21",
    )
    assert other.status_code == 302


def _lock(client, user):
    for _ in range(5):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 429


def _unlock_action(client, url, pk):
    return client.post(url, {"action": "login_unlock", "_selected_action": [str(pk)]})


def test_owner_unlocks_their_staff(client, business):
    from backoffice.tenancy.context import tenant_context
    from backoffice.tenancy.models import Membership

    boss = UserFactory()
    membership(business, boss, "owner")
    staff = UserFactory()
    member = membership(business, staff, "cashier")
    _lock(client, staff)
    boss_client = client.__class__()
    boss_client.force_login(boss)
    response = _unlock_action(boss_client, "/admin/tenancy/membership/", member.pk)
    assert response.status_code == 302
    assert (
        _login(client, staff.username, PASSWORD, ip="198.51.100.77").status_code == 302
    )
    with tenant_context(business):
        assert Membership.objects.filter(pk=member.pk).exists()


def test_owner_cannot_unlock_another_business_staff(client, business, other_business):
    boss = UserFactory()
    membership(business, boss, "owner")
    foreign = UserFactory()
    foreign_member = membership(other_business, foreign, "cashier")
    _lock(client, foreign)
    boss_client = client.__class__()
    boss_client.force_login(boss)
    _unlock_action(boss_client, "/admin/tenancy/membership/", foreign_member.pk)
    assert _login(client, foreign.username, PASSWORD).status_code == 429


def test_cashier_cannot_unlock(client, business):
    staff = UserFactory()
    member = membership(business, staff, "cashier")
    manager = UserFactory()
    membership(business, manager, "manager")
    _lock(client, staff)
    other = client.__class__()
    other.force_login(manager)
    _unlock_action(other, "/admin/tenancy/membership/", member.pk)
    assert _login(client, staff.username, PASSWORD).status_code == 429


def test_platform_staff_unlock_anyone(client, business):
    staff = UserFactory()
    membership(business, staff, "cashier")
    _lock(client, staff)
    root = UserFactory(is_superuser=True, is_staff=True)
    platform = client.__class__()
    platform.force_login(root)
    response = _unlock_action(platform, "/admin/auth/user/", staff.pk)
    assert response.status_code == 302
    assert _login(client, staff.username, PASSWORD).status_code == 302
