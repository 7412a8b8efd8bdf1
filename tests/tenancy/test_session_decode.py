"""The session store's decode memo (backoffice.tenancy.sessions): the same
signed text gives the same data, each caller its own copy, and nothing that
failed its signature or holds a mutable value is remembered."""

import pytest

from backoffice.tenancy import sessions
from backoffice.tenancy.sessions import SessionStore


@pytest.fixture(autouse=True)
def _empty_memo():
    sessions._decoded.clear()
    yield
    sessions._decoded.clear()


def test_the_same_text_decodes_to_equal_copies():
    store = SessionStore()
    text = store.encode({"_auth_user_id": "7", "business_id": 3, "seen": 1.5})
    first = store.decode(text)
    first["business_id"] = 99  # a request changing its own session
    second = SessionStore().decode(text)
    assert second == {"_auth_user_id": "7", "business_id": 3, "seen": 1.5}
    assert second is not first
    assert list(sessions._decoded) == [text]


def test_a_tampered_text_is_no_session_and_is_not_remembered():
    store = SessionStore()
    text = store.encode({"_auth_user_id": "7"})
    forged = text[:-1] + ("A" if text[-1] != "A" else "B")  # signature's end
    assert store.decode(forged) == {}
    assert forged not in sessions._decoded


def test_data_with_mutable_values_is_decoded_every_time():
    store = SessionStore()
    text = store.encode({"cart": [1, 2], "_auth_user_id": "7"})
    first = store.decode(text)
    first["cart"].append(3)
    assert store.decode(text) == {"cart": [1, 2], "_auth_user_id": "7"}
    assert sessions._decoded == {}


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(sessions, "DECODED_MAX", 2)
    store = SessionStore()
    texts = [store.encode({"n": n}) for n in range(3)]
    assert [store.decode(t) for t in texts] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert list(sessions._decoded) == [texts[2]]
