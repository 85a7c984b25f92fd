"""Pending logins: 256-bit one-time states, stale after ten minutes, tamper-evident."""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicitflow.errors import StateMismatchError
from implicitflow.pending_login import (
    PENDING_PREFIX,
    STATE_TTL,
    PendingLogin,
    PendingLogins,
    new_state,
)
from implicitflow.storage import MemoryStorage

NOW = 1_700_000_000.0
PROVIDER = "authorize_url=https%3A%2F%2Fa.example%2Fauth&client_id=c&redirect_uri=r&domain="


@pytest.fixture
def logins():
    return PendingLogins(MemoryStorage())


def started(logins, now=NOW, return_to=None):
    login = PendingLogin(new_state(os.urandom(32)), PROVIDER, now, return_to)
    logins.add(login)
    return login


def test_state_has_256_bits_and_is_url_safe():
    state = new_state(os.urandom(32))

    assert len(state) == 64 and all(c in "0123456789abcdef" for c in state)


def test_state_needs_at_least_128_bits():
    with pytest.raises(ValueError):
        new_state(b"\x00" * 15)


def test_ten_thousand_states_never_repeat():
    assert len({new_state(os.urandom(32)) for _ in range(10000)}) == 10000


def test_take_returns_the_login_once(logins):
    login = started(logins, return_to="/inbox")

    assert logins.take(login.state, NOW + 5, PROVIDER).return_to == "/inbox"
    with pytest.raises(StateMismatchError) as caught:
        logins.take(login.state, NOW + 6, PROVIDER)
    assert caught.value.reason == "replayed"


@pytest.mark.parametrize("state, reason", [(None, "missing"), ("", "missing"),
                                           ("xyz", "unknown"), ("a" * 64, "unknown")])
def test_missing_and_unknown_states_are_refused(logins, state, reason):
    started(logins)

    with pytest.raises(StateMismatchError) as caught:
        logins.take(state, NOW, PROVIDER)
    assert caught.value.reason == reason


def test_state_older_than_ten_minutes_is_stale_and_consumed(logins):
    login = started(logins)

    with pytest.raises(StateMismatchError) as caught:
        logins.take(login.state, NOW + STATE_TTL + 1, PROVIDER)
    assert caught.value.reason == "stale"
    with pytest.raises(StateMismatchError):
        logins.take(login.state, NOW + 1, PROVIDER)


@pytest.mark.parametrize("record", [
    "garbage", "state=abc&created_at=1", "state={s}&created_at=nan", "state={s}&created_at=soon",
    "state={s}&created_at=1&return_to=//evil.example", "state={o}&provider=p&created_at={now}", "",
])
def test_tampered_records_are_refused_as_corrupt(logins, record):
    state, other = new_state(os.urandom(32)), new_state(os.urandom(32))
    logins._storage.set(PENDING_PREFIX + state, record.format(s=state, o=other, now=NOW))

    with pytest.raises(StateMismatchError) as caught:
        logins.take(state, NOW, "p")
    assert caught.value.reason in ("corrupt", "unknown")
    assert logins._storage.get(PENDING_PREFIX + state) is None


def test_purge_drops_stale_and_corrupt_records_but_keeps_fresh_ones(logins):
    fresh = started(logins, NOW)
    started(logins, NOW - STATE_TTL - 5)
    logins._storage.set(PENDING_PREFIX + "f" * 64, "corrupt")

    logins.purge(NOW)

    assert logins._storage.keys() == [PENDING_PREFIX + fresh.state]


safe_paths = st.text(st.characters(min_codepoint=32, exclude_characters="\\\x7f",
                                   exclude_categories=["Cs"]), max_size=50).map(
    lambda tail: "/" + tail.lstrip("/"))


@given(safe_paths, st.floats(0, 2e9))
def test_record_round_trips_through_storage(return_to, created_at):
    login = PendingLogin(new_state(os.urandom(16)), PROVIDER, created_at, return_to)

    again = PendingLogin.from_storage_string(login.to_storage_string())

    assert (again.state, again.provider, again.created_at, again.return_to) == (
        login.state, PROVIDER, created_at, return_to)
