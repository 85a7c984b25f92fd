"""Tokens: expiry arithmetic, storage round trip, a repr that never shows the token."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicitflow.errors import MalformedResponseError
from implicitflow.storage import MemoryStorage
from implicitflow.token import Token, TokenStore


@given(st.floats(0, 4e9), st.floats(0, 4e9), st.floats(0, 600))
def test_valid_exactly_while_now_is_before_expiry_minus_skew(expires_at, now, skew):
    token = Token("t", "bearer", expires_at)

    assert token.is_valid(now, skew) == (now < expires_at - skew)
    assert token.expires_in(now) == max(0.0, expires_at - now)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1),
       st.sampled_from(["bearer", "Bearer"]), st.floats(0, 4e9),
       st.one_of(st.none(), st.text()))
def test_token_round_trips_through_storage(access_token, token_type, expires_at, scope):
    token = Token(access_token, token_type, expires_at, scope)

    assert Token.from_storage_string(token.to_storage_string()) == token


def test_repr_hides_the_token():
    assert "sekrit" not in repr(Token("sekrit", "bearer", 1.0))


@pytest.mark.parametrize("text", ["junk", "access_token=&token_type=bearer&expires_at=1",
                                  "access_token=t&token_type=bearer&expires_at=nan",
                                  "access_token=t&token_type=bearer", "%ZZ"])
def test_corrupt_stored_token_is_removed_and_reported(text):
    storage = MemoryStorage()
    store = TokenStore(storage, "client")
    storage.set(store.key, text)

    with pytest.raises(MalformedResponseError):
        store.load()
    assert store.load() is None
