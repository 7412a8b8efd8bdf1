"""Brute force on the public forms (issue 10): sign-up, password reset, RUC dispute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import RucDispute
from backoffice.throttle.models import Attempt
from tests.factories import UserFactory, valid_ruc

pytestmark = pytest.mark.django_db
TOO_MANY = "Demasiadas solicitudes"


def _signup(client, email, ip="203.0.113.5"):
    return client.post(
        "/signup/",
        {
            "email": email,
            "ruc": valid_ruc(),
            "razon_social": "Tienda Spam S.A.",
            "direccion_matriz": "Quito",
            "mode": "retail",
        },
        REMOTE_ADDR=ip,
    )


def _errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_20_signups_in_a_minute_from_one_client_are_cut_at_five(client, mailoutbox):
    """The red team's attack: 20 sign-ups in 54 s, each sending an e-mail."""
    statuses = [_signup(client, f"spam{i}@example.ec").status_code for i in range(20)]
    assert statuses == [200] * 5 + [429] * 15
    assert len(mailoutbox) == 5
    refused = _signup(client, "otra@example.ec")
    assert TOO_MANY in _errors(refused) and "minutos" in _errors(refused)


def test_signups_for_one_email_are_limited_from_any_address(client, mailoutbox):
    statuses = [
        _signup(client, "victima@example.ec", ip=f"198.51.100.{i}").status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(mailoutbox) == 3


def test_another_client_still_signs_up(client, mailoutbox):
    for i in range(6):
        _signup(client, f"spam{i}@example.ec")
    assert _signup(client, "real@example.ec", ip="192.0.2.1").status_code == 200


def test_invalid_forms_are_not_counted(client):
    for _ in range(10):
        assert client.post("/signup/", {"email": "x"}).status_code == 400
    assert _signup(client, "real@example.ec").status_code == 200


def test_the_signup_limit_ends_after_an_hour(client, mailoutbox):
    for i in range(5):
        _signup(client, f"spam{i}@example.ec")
    assert _signup(client, "late@example.ec").status_code == 429
    Attempt.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert _signup(client, "late@example.ec").status_code == 200


def _reset(client, email, ip="203.0.113.5"):
    return client.post("/admin/password_reset/", {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_requests_are_limited_per_email(client, mailoutbox):
    user = UserFactory()
    statuses = [
        _reset(client, user.email, ip=f"198.51.100.{i}").status_code for i in range(6)
    ]
    assert statuses == [302, 302, 302, 429, 429, 429]
    assert len(mailoutbox) == 3


def test_password_reset_limit_says_nothing_about_the_account(client, mailoutbox):
    user = UserFactory()
    for _ in range(3):
        _reset(client, user.email, ip="198.51.100.1")
        _reset(client, "nadie@example.ec", ip="198.51.100.2")
    real = _reset(client, user.email, ip="198.51.100.3")
    ghost = _reset(client, "nadie@example.ec", ip="198.51.100.4")
    assert real.status_code == ghost.status_code == 429
    assert _errors(real) == _errors(ghost)


def test_password_reset_requests_are_limited_per_client(client, mailoutbox):
    statuses = [_reset(client, f"p{i}@example.ec").status_code for i in range(7)]
    assert statuses == [302] * 5 + [429] * 2


def test_ruc_disputes_are_limited_per_client(client):
    def dispute(i):
        return client.post(
            "/signup/ruc/",
            {
                "ruc": valid_ruc(),
                "razon_social": "Reclamo",
                "email": f"r{i}@example.ec",
                "message": "Es mío",
            },
            REMOTE_ADDR="203.0.113.9",
        )

    statuses = [dispute(i).status_code for i in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    with system_context():
        assert RucDispute.objects.count() == 5
    assert TOO_MANY in _errors(dispute(9))
