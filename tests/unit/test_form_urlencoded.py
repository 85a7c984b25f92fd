"""The strict x-www-form-urlencoded codec (no urllib under Brython), checked against CPython's."""

from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicitflow import form_urlencoded
from implicitflow.errors import MalformedResponseError

pairs = st.lists(st.tuples(st.text(min_size=1), st.text()), max_size=10)


@given(pairs)
def test_encode_then_decode_round_trips(items):
    assert form_urlencoded.decode(form_urlencoded.encode(items)) == [(k, v) for k, v in items]


@given(pairs)
def test_decode_agrees_with_urllib_on_what_urllib_encodes(items):
    encoded = urlencode(items)

    assert form_urlencoded.decode(encoded) == parse_qsl(encoded, keep_blank_values=True)


@given(st.text())
def test_quote_agrees_with_urllib(text):
    assert form_urlencoded.quote(text) == quote(text, safe="-._~")


def test_plus_is_a_space_and_escaped_plus_is_a_plus():
    assert form_urlencoded.decode("a=x+y&b=x%2By") == [("a", "x y"), ("b", "x+y")]


def test_empty_pieces_and_missing_equals():
    assert form_urlencoded.decode("&&a=&b&&c==d") == [("a", ""), ("b", ""), ("c", "=d")]


@pytest.mark.parametrize("text", ["a=%", "a=%4", "a=%zz", "a=%C3%28", "a=%FF"])
def test_bad_escapes_and_bad_utf8_are_typed_errors(text):
    with pytest.raises(MalformedResponseError):
        form_urlencoded.decode(text)


def test_huge_input_is_refused_before_parsing():
    with pytest.raises(MalformedResponseError, match="at most"):
        form_urlencoded.decode("a=" + "x" * 70000)


def test_repeated_key_is_refused():
    with pytest.raises(MalformedResponseError, match="more than once"):
        form_urlencoded.decode_unique("state=a&state=b")
