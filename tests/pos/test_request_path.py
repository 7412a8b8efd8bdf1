"""What `POST /pos/api/sales` reads besides the sale (issue 13 §4).

The session row, the user and their membership of the session's business
(one statement once the process has seen the session: TenantMiddleware's
hint), and the emission point (read by the checkout with the cart when the
page names it) are hand-written statements (core.sql), read on every request:
no cache of what they return, so a membership change, a logout or a password
change elsewhere takes effect on the very next request.
"""

import json
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.tenancy import middleware
from backoffice.tenancy.context import system_context
from backoffice.tenancy.models import Membership
from core.sql import STATEMENTS
from tests.factories import UserFactory, membership

pytestmark = pytest.mark.django_db
URL = "/pos/api/sales"
# The session row, the user and their membership of the session's business, in
# one statement; without a hint, the session and then the user with the
# membership; the separate user and membership reads are the last fallbacks.
REQUEST_READS = ("session_user_and_membership",)
UNHINTED_READS = ("session_load", "user_and_membership")
FALLBACKS = ("user_load", "membership_active")


@pytest.fixture
def api(client, cashier, session):
    client.force_login(cashier)
    return client


def _sell(client, product, lines=1, point=None):
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "lines": [{"product": product.pk, "quantity": "1"}] * lines,
        "payments": [{"method": "01", "amount": "100.00"}],
    }
    if point is not None:
        body["emission_point"] = point.pk
    return client.post(URL, json.dumps(body), content_type="application/json")


def _statements(queries) -> list[str]:
    return [
        q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]


def _runs(queries, name: str) -> int:
    """How often the named statement ran (the capture shows parameters filled in)."""
    head = STATEMENTS[name].render(connection).split("%s")[0]
    return sum(s.startswith(head) for s in _statements(queries))


def test_the_request_reads_one_hand_written_statement_before_the_sale(api, product):
    assert _sell(api, product).status_code == 201  # the point's sequence row exists
    with CaptureQueriesContext(connection) as one:
        assert _sell(api, product).status_code == 201
    with CaptureQueriesContext(connection) as ten:
        assert _sell(api, product, lines=10).status_code == 201
    sql = _statements(one.captured_queries)

    def runs(statement: str) -> int:  # the capture shows parameters filled in
        head = statement.split("%s")[0]
        return sum(s.startswith(head) for s in sql)

    for name in REQUEST_READS:
        assert runs(STATEMENTS[name].render(connection)) == 1, name
    for name in UNHINTED_READS + FALLBACKS:
        assert runs(STATEMENTS[name].render(connection)) == 0, name
    # no emission point in the body: the business's first one
    point = STATEMENTS["emission_point_for_checkout"].render(connection, which="")
    assert runs(point) == 1
    # the same statements whatever the cart's size
    assert len(one.captured_queries) == len(ten.captured_queries)


def test_a_process_new_to_the_session_reads_the_session_then_the_user(api, product):
    """Another worker (or a restart) has no hint: two statements, as before."""
    assert _sell(api, product).status_code == 201
    middleware._hints.clear()
    with CaptureQueriesContext(connection) as first:
        assert _sell(api, product).status_code == 201
    with CaptureQueriesContext(connection) as second:
        assert _sell(api, product).status_code == 201
    assert [_runs(first, n) for n in UNHINTED_READS + REQUEST_READS] == [1, 1, 0]
    assert [_runs(second, n) for n in UNHINTED_READS + REQUEST_READS] == [0, 0, 1]


def test_a_hint_naming_another_user_is_not_trusted(api, business, cashier, product):
    """The hint only chooses what to read: the session's signed data decides
    who the user is, and their own membership decides what they may do."""
    assert _sell(api, product).status_code == 201
    owner = UserFactory()
    membership(business, owner, "owner")
    with system_context():
        Membership.unscoped_objects.filter(business=business, user=cashier).update(
            role="accountant"
        )
    key = api.cookies["sessionid"].value
    middleware._hints[key] = (owner.pk, business.pk)
    with CaptureQueriesContext(connection) as read:
        refused = _sell(api, product)
    assert refused.status_code == 403  # the accountant's, not the owner's
    assert _runs(read, "user_and_membership") == 1  # the hinted user was dropped
    assert middleware._hints[key] == (cashier.pk, business.pk)


def test_a_hint_naming_another_business_is_not_trusted(
    api, business, other_business, cashier, product
):
    """A member of two businesses whose session names the first: a hint for
    the second (where no till is open) leaves the request in the first."""
    membership(other_business, cashier, "owner")
    assert _sell(api, product).status_code == 201
    key = api.cookies["sessionid"].value
    middleware._hints[key] = (cashier.pk, other_business.pk)
    response = _sell(api, product)
    assert response.status_code == 201, response.content
    assert middleware._hints[key] == (cashier.pk, business.pk)


def test_the_hints_are_bounded(api, product, monkeypatch):
    monkeypatch.setattr(middleware, "HINTS_MAX", 3)
    middleware._hints.clear()
    middleware._hints.update({f"k{n}": (1, 1) for n in range(3)})
    assert _sell(api, product).status_code == 201
    assert list(middleware._hints) == [api.cookies["sessionid"].value]


def test_the_point_the_page_names_is_read_once_with_the_cart(api, point, product):
    """The page sends its point's id: the checkout reads the point in its own
    batch of reads, so the request costs no separate round trip for it."""
    assert _sell(api, product, point=point).status_code == 201
    with CaptureQueriesContext(connection) as one:
        response = _sell(api, product, point=point)
    assert response.status_code == 201
    assert response.json()["number"].startswith("001-001-")
    sql = _statements(one.captured_queries)
    head = STATEMENTS["emission_point_for_checkout"].render(connection, which="")
    reads = [s for s in sql if s.startswith(head.split("%s")[0])]
    assert len(reads) == 1  # one read of the point, and by its id
    assert 'AND p."id" = ' in reads[0]
    # inside the checkout's transaction, right before its key look-up
    everything = [q["sql"] for q in one.captured_queries]
    at = everything.index(reads[0])
    assert everything[at - 1].startswith("SAVEPOINT")
    key = STATEMENTS["sale_by_key"].render(connection)
    assert everything[at + 1].startswith(key.split("%s")[0])


def test_a_membership_change_takes_effect_on_the_next_request(
    api, business, cashier, product
):
    assert _sell(api, product).status_code == 201
    with system_context():
        member = Membership.unscoped_objects.get(business=business, user=cashier)
        member.is_active = False
        member.save(update_fields=["is_active"])
    assert _sell(api, product).status_code == 403
    with system_context():
        member.is_active, member.role = True, "accountant"
        member.save(update_fields=["is_active", "role"])
    assert _sell(api, product).status_code == 403  # accountants do not sell
    with system_context():
        member.role = "cashier"
        member.save(update_fields=["role"])
    assert _sell(api, product).status_code == 201


def test_a_logout_elsewhere_ends_the_session_at_once(api, product):
    assert _sell(api, product).status_code == 201
    Session.objects.all().delete()  # what logout on another worker does
    assert _sell(api, product).status_code == 401


def test_a_password_change_ends_other_sessions(api, cashier, product):
    assert _sell(api, product).status_code == 201
    cashier.set_password("otra-clave-larga-2026")
    cashier.save()
    assert _sell(api, product).status_code == 401


def test_a_deactivated_user_is_logged_out(api, cashier, product):
    cashier.is_active = False
    cashier.save()
    assert _sell(api, product).status_code == 401


@pytest.mark.parametrize(
    "cookie",
    ["abcdefgh\x00ijklmnop", "x" * 5000, "'; DROP TABLE s; --" * 3, "ñandú" * 8],
)
def test_a_forged_session_cookie_is_no_session(client, product, cookie):
    client.cookies["sessionid"] = cookie
    assert _sell(client, product).status_code == 401


def test_the_session_remembers_the_business_the_login_landed_in(api, business, product):
    """A login through the admin names no business: the first request stores
    the one it worked in, so later ones read the membership in that business
    (no switch of the row-level-security setting) instead of system-wide."""
    assert "business_id" not in api.session
    assert _sell(api, product).status_code == 201
    assert api.session["business_id"] == business.pk
    assert _sell(api, product).status_code == 201


def test_without_a_membership_of_the_sessions_business_the_next_one_is_used(
    api, business, other_business, cashier, product
):
    """The user's membership is read with the user, for the session's business;
    when that one is gone (deactivated, or its business closed), the request
    works in the user's next business, as before, and never in the old one."""
    from tests.factories import membership

    membership(other_business, cashier, "cashier")
    assert _sell(api, product).status_code == 201
    assert api.session["business_id"] == business.pk
    with system_context():
        Membership.unscoped_objects.filter(business=business, user=cashier).update(
            is_active=False
        )
    refused = _sell(api, product)  # in the other business, which has no open till
    assert refused.status_code == 409, refused.content
    assert refused.json()["error"] == "cash_session_closed"
    with system_context():
        Membership.unscoped_objects.filter(business=business, user=cashier).update(
            is_active=True
        )
        type(business).objects.filter(pk=business.pk).update(is_active=False)
    assert _sell(api, product).status_code == 409  # a closed business: the same
    with system_context():
        type(business).objects.filter(pk=business.pk).update(is_active=True)
    assert _sell(api, product).status_code == 201
