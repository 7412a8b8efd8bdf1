"""The attempt counter behind the login and public-form limits (issue 10)."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from backoffice.throttle import services as throttle
from backoffice.throttle.models import Attempt

pytestmark = pytest.mark.django_db
RULE = throttle.Rule("test", 3, timedelta(minutes=10))


def test_allows_the_limit_then_waits_for_the_oldest_to_leave():
    now = timezone.now()
    for minutes_ago in (9, 5, 1):
        throttle.hit([(RULE, "k")], now=now - timedelta(minutes=minutes_ago))
    wait = throttle.wait_for([(RULE, "k")], now=now)
    assert wait == timedelta(minutes=1)
    assert throttle.wait_for([(RULE, "k")], now=now + timedelta(minutes=2)) is None
    assert throttle.wait_for([(RULE, "other")], now=now) is None


def test_keys_are_stored_hashed_and_case_blind():
    throttle.hit([(RULE, "Maria@Example.ec")])
    throttle.hit([(RULE, "maria@example.ec ")])
    keys = set(Attempt.objects.values_list("key", flat=True))
    assert len(keys) == 1 and "maria" not in next(iter(keys))


def test_clear_forgets_only_that_key():
    throttle.hit([(RULE, "a"), (RULE, "b")])
    assert throttle.clear(RULE, ["a"]) == 1
    assert Attempt.objects.count() == 1


def test_empty_keys_count_nothing():
    throttle.hit([(RULE, "")])
    assert Attempt.objects.count() == 0
    assert throttle.wait_for([(RULE, "")]) is None


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_client_ip_ignores_the_header_without_trusted_proxies():
    assert throttle.client_ip(_request("192.0.2.1", "10.0.0.1")) == "192.0.2.1"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_client_ip_takes_the_entry_written_by_the_outermost_trusted_proxy():
    request = _request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")
    assert throttle.client_ip(request) == "198.51.100.7"
    # Fewer entries than proxies: not from our proxies, use the socket address.
    assert throttle.client_ip(_request("10.0.0.2", "6.6.6.6")) == "10.0.0.2"
