"""Brute force on the supervisor PIN for voids (issue 10)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.test import Client
from django.utils import timezone

from backoffice.tenancy.context import tenant_context
from backoffice.tenancy.models import Membership
from pos.errors import PinLockedError, VoidInputError, VoidNotAllowedError
from pos.models import PinFailure, Void
from pos.services import sale_void, supervisor_pin_set, void_authorizer
from tests.factories import UserFactory, membership

D = Decimal
LEGACY_PIN = "0100"  # a 4-digit PIN set before issue 10: still accepted


def _supervisor(business, pin=LEGACY_PIN, role="manager"):
    user = UserFactory()
    member = membership(business, user, role)
    with tenant_context(business):
        # Set directly, as a PIN stored before the 6-digit rule was.
        Membership.objects.filter(pk=member.pk).update(pin=make_password(pin))
    return user


def _try(business, actor, pin):
    with tenant_context(business):
        return void_authorizer(business=business, actor=actor, supervisor_pin=pin)


def _void(business, sale, actor, pin):
    with tenant_context(business):
        return sale_void(
            business=business,
            sale=sale,
            actor=actor,
            reason="Error",
            supervisor_pin=pin,
        )


@pytest.fixture
def sale(post, product):
    return post([(product, 1)])


def _failures(business, **filters):
    with tenant_context(business):
        return PinFailure.objects.filter(**filters).count()


@pytest.mark.django_db
def test_138_guesses_never_find_the_pin(business, sale, cashier):
    """The red team's attack: guessing 0000, 0001… found a 4-digit PIN."""
    _supervisor(business)
    refused = 0
    for guess in (f"{i:04d}" for i in range(138)):  # 0100 is the 101st
        try:
            _void(business, sale, cashier, guess)
        except PinLockedError:
            refused += 1
        except VoidNotAllowedError:
            pass
        else:
            pytest.fail(f"PIN found after {guess}")
    assert refused == 138 - 4  # the 5th wrong PIN already locks
    with tenant_context(business):
        assert Void.objects.count() == 0
    # Recorded although each void was refused (and its transaction undone).
    assert _failures(business, user=cashier) == 5


@pytest.mark.django_db
def test_a_refusal_costs_no_hash(business, cashier):
    _supervisor(business)
    _supervisor(business, pin="246802", role="owner")
    for _ in range(5):
        with pytest.raises(VoidNotAllowedError):
            _try(business, cashier, "999999")
    patched = mock.patch("pos.services.pins.check_password", wraps=check_password)
    with patched as hashed, pytest.raises(PinLockedError) as exc:
        _try(business, cashier, LEGACY_PIN)  # even the right PIN
    assert hashed.call_count == 0
    assert exc.value.status == 429 and exc.value.field == "supervisor_pin"
    assert "Demasiados PIN incorrectos" in exc.value.message
    assert "15 minutos" in exc.value.message


@pytest.mark.django_db
def test_a_pin_that_is_not_digits_costs_no_hash_but_counts(business, cashier):
    _supervisor(business)
    patched = mock.patch("pos.services.pins.check_password", wraps=check_password)
    with patched as hashed:
        for guess in ("abc123", "9" * 100_000):
            with pytest.raises(VoidNotAllowedError):
                _try(business, cashier, guess)
    assert hashed.call_count == 0
    assert _failures(business, user=cashier) == 2


@pytest.mark.django_db
def test_four_failures_then_the_right_pin_works(business, cashier):
    boss = _supervisor(business)
    for _ in range(4):
        with pytest.raises(VoidNotAllowedError) as exc:
            _try(business, cashier, "999999")
        assert not isinstance(exc.value, PinLockedError)
    assert _try(business, cashier, LEGACY_PIN) == boss


@pytest.mark.django_db
def test_the_lock_ends_after_the_window(business, cashier):
    boss = _supervisor(business)
    for _ in range(5):
        with pytest.raises(VoidNotAllowedError):
            _try(business, cashier, "999999")
    with tenant_context(business):
        PinFailure.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert _try(business, cashier, LEGACY_PIN) == boss


@pytest.mark.django_db
def test_the_lock_is_per_cashier(business, cashier):
    boss = _supervisor(business)
    other = UserFactory()
    membership(business, other, "cashier")
    for _ in range(5):
        with pytest.raises(VoidNotAllowedError):
            _try(business, cashier, "999999")
    assert _try(business, other, LEGACY_PIN) == boss


@pytest.mark.django_db
def test_a_managers_own_void_needs_no_pin_and_is_not_locked(business, cashier):
    boss = _supervisor(business)
    for _ in range(5):
        with pytest.raises(VoidNotAllowedError):
            _try(business, cashier, "999999")
    assert _try(business, boss, "") == boss


@pytest.mark.django_db
def test_new_pins_need_six_digits(business):
    user = UserFactory()
    member = membership(business, user, "manager")
    with tenant_context(business):
        for short in ("1234", "12345", "12a456", "1" * 13):
            with pytest.raises(VoidInputError) as exc:
                supervisor_pin_set(business=business, membership=member, pin=short)
            assert exc.value.field == "pin"
        supervisor_pin_set(business=business, membership=member, pin="123456")


def _post(client, body, url):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_api_answers_429_and_the_owner_sees_an_alert(
    client, business, other_business, cashier, owner, sale
):
    _supervisor(business)
    client.force_login(cashier)
    url = f"/pos/api/sales/{sale.pk}/void"
    for _ in range(4):
        assert (
            _post(client, {"reason": "x", "supervisor_pin": "1"}, url).status_code
            == 403
        )
    locked = _post(client, {"reason": "x", "supervisor_pin": "1"}, url)
    assert locked.status_code == 429 and locked.json()["error"] == "pin_locked"
    again = _post(client, {"reason": "x", "supervisor_pin": LEGACY_PIN}, url)
    assert again.status_code == 429
    boss = Client()
    boss.force_login(owner)
    page = boss.get("/admin/").content.decode()
    at = timezone.localtime(_locked_at(business)).strftime("%H:%M")
    expected = (
        f"5 intentos fallidos de PIN de supervisor por {cashier.username} a las {at}"
    )
    assert expected in page
    # Another business's owner sees nothing of it; neither does the cashier.
    stranger = UserFactory()
    membership(other_business, stranger, "owner")
    outsider = Client()
    outsider.force_login(stranger)
    assert "intentos fallidos de PIN" not in outsider.get("/admin/").content.decode()
    assert "intentos fallidos de PIN" not in client.get("/admin/").content.decode()


def _locked_at(business):
    with tenant_context(business):
        return PinFailure.objects.get(locked=True).created_at


# --- PostgreSQL, as the app role: committed rows, row-level security, threads ---


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_failures_are_committed_and_under_row_level_security(
    business, other_business, sale, cashier
):
    _supervisor(business)
    for _ in range(5):
        with pytest.raises(VoidNotAllowedError):
            _void(business, sale, cashier, "999999")
    connection.close()  # a new connection sees only what was committed
    with tenant_context(business), connection.cursor() as cursor:
        cursor.execute("SELECT business_id, count(*) FROM pos_pinfailure GROUP BY 1")
        assert cursor.fetchall() == [(business.pk, 5)]
    with tenant_context(other_business), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pos_pinfailure")
        assert cursor.fetchone() == (0,)
    with connection.cursor() as cursor:  # no business in context
        cursor.execute("SELECT count(*) FROM pos_pinfailure")
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = 'pos_pinfailure'"
        )
        assert cursor.fetchone() == (True, True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_guesses_hash_at_most_five_times(business, cashier):
    _supervisor(business)
    start = threading.Barrier(10)
    hashes = []

    def counting(pin, encoded):
        hashes.append(pin)
        return check_password(pin, encoded)

    def guess(i):
        start.wait()
        try:
            with tenant_context(business):
                void_authorizer(
                    business=business, actor=cashier, supervisor_pin=f"{i:06d}9"
                )
        except PinLockedError:
            return "locked"
        except VoidNotAllowedError:
            return "wrong"
        finally:
            connection.close()

    patched = mock.patch("pos.services.pins.check_password", counting)
    with patched, ThreadPoolExecutor(10) as pool:
        results = list(pool.map(guess, range(10)))
    assert len(hashes) == 5
    assert results.count("wrong") == 4 and results.count("locked") == 6
    assert _failures(business, user=cashier) == 5
