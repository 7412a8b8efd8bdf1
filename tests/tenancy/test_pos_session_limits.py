"""Shared tills (issue 10): a cashier's or waiter's session ends after 30 idle
minutes or 12 hours; the back office keeps its normal session."""

import time

import pytest
from django.urls import reverse

from backoffice.tenancy.session_limits import SEEN, STARTED
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db
POS = reverse("pos:page")


def logged_in(client, business, role):
    user = UserFactory()
    membership(business, user, role)
    client.force_login(user)
    assert client.get(POS, follow=True).status_code == 200  # a waiter: the floor
    return user


def age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"started": STARTED, "seen": SEEN}[key]] = now - ago
    session.save()


@pytest.mark.parametrize("role", ["cashier", "waiter"])
def test_thirty_idle_minutes_log_a_pos_role_out(client, business, role):
    logged_in(client, business, role)
    assert client.session.get_expiry_age() <= 30 * 60
    age(client, seen=31 * 60)
    response = client.get(POS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session
    assert client.get(POS).status_code == 302  # still out


def test_twelve_hours_log_a_busy_cashier_out(client, business):
    logged_in(client, business, "cashier")
    age(client, started=12 * 3600 + 60, seen=10)
    assert client.get(POS).status_code == 302


def test_the_api_answers_401_json_once_the_session_ended(client, business):
    logged_in(client, business, "cashier")
    age(client, seen=31 * 60)
    response = client.get(reverse("pos:api-products"))
    assert response.status_code == 401
    assert response.json()["error"] == "session_expired"


def test_an_active_cashier_stays_in(client, business):
    logged_in(client, business, "cashier")
    age(client, started=3600, seen=20 * 60)
    assert client.get(POS).status_code == 200


def test_the_owner_keeps_the_normal_session(client, business):
    logged_in(client, business, "owner")
    age(client, seen=31 * 60)
    assert client.get(POS).status_code == 200
    assert client.session.get_expiry_age() > 24 * 3600


def test_the_pos_page_has_a_logout(client, business):
    logged_in(client, business, "waiter")
    page = client.get(POS, follow=True).content.decode()  # the floor
    assert reverse("admin:logout") in page
    assert "Cerrar sesión" in page
