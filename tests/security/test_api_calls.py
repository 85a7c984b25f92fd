"""Where the bearer token goes: only to URLs under api_base, never over plain http to another
machine; and what the API says about it (RFC 6750 3.1 error codes) comes back typed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from implicitflow import (
    ApiError,
    ConfigurationError,
    ImplicitFlow,
    InsufficientScopeError,
    Provider,
    RateLimitedError,
    TokenExpiredError,
    getresponse,
)
from implicitflow.api_response import read_api_response
from implicitflow.errors import REDACTED, redact
from tests.unit.conftest import REDIRECT_URI, return_from_provider
from tests.unit.fake_browser import FakeBrowser
from tests.unit.test_flow import run

API_BASE = "https://api.getresponse.com/v3"
#: RFC 6750's b64token.
TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/="


@pytest.fixture
def tab():
    return FakeBrowser()


@pytest.fixture
def signed_in(tab):
    flow = ImplicitFlow(getresponse("demo-client", REDIRECT_URI), environment=tab)
    return_from_provider(tab, flow)
    flow.handle_redirect()
    return flow


@pytest.mark.parametrize("url", [
    "https://evil.example/steal", "HTTPS://evil.example/steal", "http://api.getresponse.com/v3/x",
    "https://api.getresponse.com/v3evil/accounts", "https://api.getresponse.com.evil.example/v3/x",
    "https://api.getresponse.com/v3@evil.example/x", "https://api.getresponse.com"])
def test_the_token_is_never_sent_outside_api_base(signed_in, tab, url, security_report):
    with pytest.raises(ConfigurationError, match="only URLs under api_base"):
        run(signed_in.fetch(url))
    assert tab.sent == []
    name = "URLs outside api_base refused the token"
    security_report[name] = security_report.get(name, 0) + 1


@pytest.mark.parametrize("path", ["https://api.getresponse.com/v3/accounts", "/accounts",
                                  "accounts", "//evil.example/accounts"])
def test_paths_and_urls_under_api_base_are_called_there(signed_in, tab, path):
    tab.answer(200, {"accountId": "VfEy1"})

    run(signed_in.fetch(path))

    assert tab.sent[0]["url"].startswith(API_BASE + "/")


@pytest.mark.parametrize("api_base", ["http://proxy.example/api", "http://10.0.0.1/api",
                                      "http://127.0.0.1.evil.example/api",
                                      "http://user@127.0.0.1/api", "ftp://files.example",
                                      "//evil.example/api", "api"])
def test_an_api_base_the_token_could_leak_through_is_refused(tab, api_base):
    with pytest.raises(ConfigurationError):
        ImplicitFlow(getresponse("demo-client", REDIRECT_URI), api_base=api_base, environment=tab)
    with pytest.raises(ConfigurationError):
        Provider("https://login.example/authorize", api_base, "c", REDIRECT_URI)


@pytest.mark.parametrize("api_base", ["http://127.0.0.1:8000/api", "http://localhost/api",
                                      "http://[::1]:9000/api", "http://app.localhost/api",
                                      "https://proxy.example/api", "/api/getresponse"])
def test_https_loopback_http_and_same_origin_paths_are_accepted(tab, api_base):
    flow = ImplicitFlow(getresponse("demo-client", REDIRECT_URI), api_base=api_base,
                        environment=tab)

    assert flow.api_base == api_base


def test_invalid_token_in_www_authenticate_drops_the_token(signed_in, tab):
    tab.answer(401, headers={"WWW-Authenticate":
                             'Bearer realm="api", error="invalid_token", '
                             'error_description="The access token expired"'})

    with pytest.raises(TokenExpiredError) as caught:
        run(signed_in.fetch("/accounts"))
    assert caught.value.error == "invalid_token"
    assert "expired" in str(caught.value)
    assert signed_in.token is None


@pytest.mark.parametrize("headers, body", [
    ({"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="contacts"'}, None),
    ({}, {"error": "insufficient_scope", "error_description": "needs contacts"})])
def test_insufficient_scope_is_its_own_error_and_keeps_the_token(signed_in, tab, headers, body):
    tab.answer(403, body, headers=headers)

    with pytest.raises(InsufficientScopeError) as caught:
        run(signed_in.fetch("/contacts"))
    assert (caught.value.kind, caught.value.error, caught.value.http_status) == (
        "insufficient_scope", "insufficient_scope", 403)
    assert signed_in.token is not None


def test_other_rfc_6750_errors_carry_their_code(signed_in, tab):
    tab.answer(400, headers={"WWW-Authenticate": "Bearer error=invalid_request"})

    with pytest.raises(ApiError) as caught:
        run(signed_in.fetch("/accounts"))
    assert caught.value.error == "invalid_request" and caught.value.to_dict()["error"] == (
        "invalid_request")


def test_error_fields_hold_only_json_strings_numbers_booleans_and_null(signed_in, tab):
    tab.answer(429, {"httpStatus": 429, "code": 1015, "message": {"text": "Quota reached"},
                     "moreInfo": {"__proto__": {"hoisted": True}},
                     "context": {"timeToReset": ["soon"]}}, reset="60")

    with pytest.raises(RateLimitedError) as caught:
        run(signed_in.fetch("/accounts"))
    assert caught.value.to_dict() == {
        "name": "RateLimitedError", "kind": "rate_limited", "http_status": 429, "code": 1015,
        "message": "The API answered HTTP 429 with code 1015", "more_info": None, "error": None,
        "reset": "60"}


#: Error answers from a server that echoes the credential it was sent ("tok-123").
ECHOES = [
    (401, {"httpStatus": 401, "code": 1014, "message": "bearer Bearer tok-123 is unknown"}, {}),
    (400, {"httpStatus": 400, "code": 1000, "message": "Authorization: Bearer tok-123",
           "moreInfo": "https://docs.example/errors?auth=Bearer%20x Bearer tok-123"}, {}),
    (429, {"httpStatus": 429, "code": 1015, "message": "quota of BEARER tok-123",
           "context": {"timeToReset": "after bearer\ttok-123"}}, {}),
    (400, {"error": "invalid_request", "error_description": "'Bearer tok-123' is malformed"}, {}),
    (401, None, {"WWW-Authenticate": 'Bearer error="invalid_token", '
                                     'error_description="Bearer tok-123 expired"'}),
    (403, None, {"WWW-Authenticate": 'Bearer error="insufficient_scope Bearer tok-123"'}),
]


@pytest.mark.parametrize("status, body, headers", ECHOES)
def test_a_credential_the_server_echoes_is_redacted_from_its_error(signed_in, tab, status, body,
                                                                  headers, security_report):
    tab.answer(status, body, headers=headers)

    with pytest.raises(ApiError if status != 401 else TokenExpiredError) as caught:
        run(signed_in.fetch("/accounts"))
    exposed = [str(caught.value), caught.value.message, *caught.value.to_dict().values()]
    assert "[redacted]" in " ".join(str(value) for value in exposed)
    assert not [value for value in exposed if "tok-123" in str(value)]
    name = "API errors echoing 'Bearer <token>': token redacted from message and every field"
    security_report[name] = security_report.get(name, 0) + 1


def test_the_token_itself_is_redacted_wherever_the_server_puts_it():
    body = {"httpStatus": 429, "code": "tok-123", "message": "token tok-123 is over quota",
            "moreInfo": "https://docs.example/?token=tok-123", "context": {"timeToReset": "tok-123"}}

    with pytest.raises(RateLimitedError) as caught:
        read_api_response(429, body, token="tok-123")
    assert caught.value.to_dict() == {
        "name": "RateLimitedError", "kind": "rate_limited", "http_status": 429,
        "code": "[redacted]",
        "message": "The API answered HTTP 429 with code [redacted]: token [redacted] is over quota",
        "more_info": "https://docs.example/?token=[redacted]", "error": None, "reset": "[redacted]"}


@given(st.text(alphabet=TOKEN_CHARACTERS, min_size=1), st.text(), st.text(),
       st.sampled_from(["Bearer ", "bearer  ", "BEARER\t"]))
def test_no_credential_after_bearer_survives_in_any_text(credential, before, after, scheme):
    text = redact(before + scheme + credential + (" " + after if after else ""))

    assert scheme.strip() + " " + REDACTED in text
    assert scheme.strip() + " " + credential not in text


@pytest.mark.browser
def test_in_chromium_a_foreign_url_gets_no_request_at_all(flow_page):
    requests = []
    flow_page.sign_in()
    flow_page.page.on("request", lambda request: requests.append(request.url))

    result = flow_page.call_api("https://evil.example/steal")

    assert result["name"] == "ConfigurationError"
    assert not [url for url in requests if "evil.example" in url]
    assert flow_page.has_token()
