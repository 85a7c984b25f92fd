"""Reading the fragment: RFC 6749 4.2.2 success, 4.2.2.1 errors, and everything malformed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicitflow import form_urlencoded
from implicitflow.authorization_response import (
    is_authorization_response,
    parse_fragment,
    read_authorization_response,
)
from implicitflow.errors import AuthorizationDeniedError, ImplicitFlowError, MalformedResponseError


def read(fragment):
    return read_authorization_response(parse_fragment(fragment))


def test_getresponse_fragment_is_read():
    response = read("#access_token=2YotnFZFEjr1zCsicMWpAA&state=xyz&token_type=bearer&expires_in=3600")

    assert (response.access_token, response.token_type, response.expires_in, response.state) == (
        "2YotnFZFEjr1zCsicMWpAA", "bearer", 3600, "xyz")


def test_error_fragment_is_authorization_denied():
    with pytest.raises(AuthorizationDeniedError) as caught:
        read("#error=access_denied&error_description=The+user+said+no&state=xyz")

    assert caught.value.error == "access_denied"
    assert caught.value.description == "The user said no"


@pytest.mark.parametrize("fragment, complaint", [
    ("#state=x&token_type=bearer", "no access_token"),
    ("#access_token=&state=x&token_type=bearer", "no access_token"),
    ("#access_token=t&state=x", "no token_type"),
    ("#access_token=t&state=x&token_type=mac", "bearer"),
    ("#access_token=t&token_type=bearer&expires_in=soon", "whole number"),
    ("#access_token=t&token_type=bearer&expires_in=-5", "whole number"),
    ("#access_token=t&token_type=bearer&expires_in=1.5", "whole number"),
    ("#access_token=t&token_type=bearer&expires_in=%D9%A3", "whole number"),
    ("#access_token=t&token_type=bearer&expires_in=99999999999", "out of range"),
    ("#access_token=a&access_token=b&token_type=bearer", "more than once"),
    ("#", "no parameters"),
])
def test_malformed_responses_are_typed_errors(fragment, complaint):
    with pytest.raises(MalformedResponseError, match=complaint):
        read(fragment)


def test_token_type_is_case_insensitive_and_expires_in_defaults():
    response = read_authorization_response(parse_fragment("access_token=t&token_type=Bearer"), 1234)

    assert response.expires_in == 1234


def test_messages_never_carry_the_token():
    secret = "s3cr3t-token-value-0123456789"
    with pytest.raises(MalformedResponseError) as caught:
        read(f"#access_token={secret}&token_type=mac")

    assert secret not in str(caught.value) and secret not in repr(caught.value)


@pytest.mark.parametrize("fragment, expected", [
    ("#access_token=x&state=y", True), ("#error=access_denied", True), ("#state=s", True),
    ("#section-2", False), ("#/inbox?tab=2", False), ("", False), ("#", False),
])
def test_only_oauth_fragments_are_taken_as_responses(fragment, expected):
    assert is_authorization_response(fragment) is expected


fragments = st.one_of(
    st.text(max_size=300),
    st.lists(st.tuples(st.sampled_from(["access_token", "state", "token_type", "expires_in",
                                        "error", "error_description", "scope", "x"]),
                       st.text(max_size=30)), max_size=8).map(form_urlencoded.encode),
    st.lists(st.sampled_from(["access_token=", "%", "%4", "%zz", "%C3", "+", "&", "=", "&&",
                              "token_type=bearer", "expires_in=", "9", "-", "état", "\x00"]),
             max_size=30).map("".join),
)


@given(fragments)
def test_any_fragment_yields_a_response_or_a_typed_error(fragment):
    try:
        read(fragment)
    except ImplicitFlowError:
        pass


VSCHAR_TOKENS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                        max_size=60)


@given(VSCHAR_TOKENS, st.text(min_size=1, max_size=60).filter(
    lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s)), st.integers(0, 10**8))
def test_round_trip_with_the_builder(token, state, expires_in):
    fragment = form_urlencoded.encode([("access_token", token), ("state", state),
                                       ("token_type", "bearer"), ("expires_in", str(expires_in))])

    response = read("#" + fragment)

    assert (response.access_token, response.state, response.expires_in) == (token, state, expires_in)
