"""The protected resources: GetResponse's bodies, headers, error codes and MAX domains."""

import asyncio

import httpx
import pytest

from implicitflow_testing.mock._server import run_mock_server

from .helpers import FrozenClock, api_key, run_async, token_request

SEVEN_FIELDS = {"httpStatus", "code", "codeDescription", "message", "moreInfo", "context", "uuid"}


@pytest.fixture
def token(http):
    return token_request(http, {"grant_type": "client_credentials"}).json()["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_accounts_answers_the_account(http, token):
    response = http.get("/v3/accounts", headers=bearer(token))

    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == "VfEy1" and body["email"]
    assert body["countryCode"]["countryCode"] and body["timeZone"]["name"]


def test_from_fields_pages_with_getresponse_headers(http, token):
    response = http.get("/v3/from-fields", params={"page": 2, "perPage": 2}, headers=bearer(token))

    assert response.status_code == 200
    assert len(response.json()) == 2
    assert (response.headers["TotalCount"], response.headers["TotalPages"],
            response.headers["CurrentPage"]) == ("5", "3", "2")
    assert response.json()[0]["fromFieldId"]


def test_bad_paging_is_a_validation_error(http, token):
    response = http.get("/v3/from-fields", params={"page": "x"}, headers=bearer(token))

    assert response.status_code == 400 and response.json()["code"] == 1000


def test_rate_limit_headers_count_down_per_token(http, token):
    first = http.get("/v3/accounts", headers=bearer(token)).headers
    second = http.get("/v3/accounts", headers=bearer(token)).headers

    assert first["X-RateLimit-Limit"] == "30000"
    assert int(first["X-RateLimit-Remaining"]) - 1 == int(second["X-RateLimit-Remaining"])
    assert second["X-RateLimit-Reset"].endswith(" seconds")


def test_expired_token_gets_1014_with_the_sent_token(getresponse_mock, http, token):
    getresponse_mock.expire_tokens()

    response = http.get("/v3/accounts", headers=bearer(token))

    body = response.json()
    assert response.status_code == 401 and set(body) == SEVEN_FIELDS
    assert body["code"] == 1014 and body["message"] == "The access token provided is expired"
    assert body["context"] == {"sentToken": token}
    assert "X-RateLimit-Remaining" in response.headers


def test_token_expires_when_the_clock_passes_its_lifetime(getresponse_mock, http, token):
    getresponse_mock.clock.advance(86401)

    assert http.get("/v3/accounts", headers=bearer(token)).json()["code"] == 1014


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": "Basic abc"}])
def test_unknown_or_missing_token_gets_1014_unable_to_authenticate(http, headers):
    response = http.get("/v3/accounts", headers=headers)

    body = response.json()
    assert response.status_code == 401 and set(body) == SEVEN_FIELDS
    assert body["message"].startswith("Unable to authenticate request")
    assert body["context"] == {"authenticationType": "auth_token"}


def test_api_error_switch_answers_the_next_calls_then_stops(getresponse_mock, http, token):
    getresponse_mock.fail_api(429, 1015, count=2)

    statuses = [http.get("/v3/accounts", headers=bearer(token)) for _ in range(3)]

    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].json()["context"]["timeToReset"]


def test_unknown_resource_is_1013(http, token):
    response = http.get("/v3/nothing-here", headers=bearer(token))

    assert response.status_code == 404 and response.json()["code"] == 1013


def test_no_cors_headers_by_default(http, token):
    response = http.get("/v3/accounts", headers={**bearer(token), "Origin": "http://localhost:3000"})

    assert not any(name.lower().startswith("access-control-") for name in response.headers)


def test_cors_can_be_allowed_for_given_origins():
    with run_mock_server(allow_origins=["http://localhost:3000"]) as server:
        response = httpx.options(server.api_base + "/accounts", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})

    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_latency_switch_slows_answers(getresponse_mock, http, token):
    getresponse_mock.set_latency(300)

    response = http.get("/v3/accounts", headers=bearer(token))

    assert response.elapsed.total_seconds() >= 0.3


class TestGetResponseMax:
    DOMAIN = "acme.getresponse360.com"

    @pytest.fixture
    def max_http(self, getresponse_max_mock):
        with httpx.Client(base_url=getresponse_max_mock.url, timeout=10) as client:
            yield client

    def test_token_request_without_x_domain_is_refused(self, max_http):
        response = token_request(max_http, {"grant_type": "client_credentials"})

        assert response.status_code == 400 and response.json()["code"] == 1021

    def test_token_and_api_call_with_x_domain_work(self, max_http):
        domain = {"X-Domain": self.DOMAIN}
        token = token_request(max_http, {"grant_type": "client_credentials"},
                              headers=domain).json()["access_token"]

        ok = max_http.get("/v3/accounts", headers={**bearer(token), **domain})
        missing = max_http.get("/v3/accounts", headers=bearer(token))
        unknown = max_http.get("/v3/accounts", headers={**bearer(token),
                                                         "X-Domain": "www." + self.DOMAIN})

        assert ok.status_code == 200
        assert missing.status_code == 400 and missing.json()["code"] == 1021
        assert unknown.status_code == 400


def test_api_key_authentication_is_getresponses_primary_method(getresponse_mock, http):
    response = http.get("/v3/accounts", headers=api_key(getresponse_mock.api_key))

    assert getresponse_mock.api_key == "demo-api-key"
    assert response.status_code == 200 and response.json()["accountId"] == "VfEy1"


@pytest.mark.parametrize("value", ["api-key wrong", "demo-api-key", "Bearer demo-api-key", ""])
def test_a_wrong_api_key_gets_1014(http, value):
    response = http.get("/v3/accounts", headers={"X-Auth-Token": value})

    body = response.json()
    assert response.status_code == 401 and set(body) == SEVEN_FIELDS and body["code"] == 1014
    assert body["context"] == {"authenticationType": "auth_token"}


def test_forced_quota_error_agrees_with_itself(getresponse_mock, http, token):
    http.get("/v3/accounts", headers=bearer(token))
    getresponse_mock.fail_api(429, 1015)

    response = http.get("/v3/accounts", headers=bearer(token))

    body = response.json()
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert body["context"]["timeToReset"] == response.headers["X-RateLimit-Reset"] == "100 seconds"
    assert response.headers["Retry-After"] == "100"


def test_the_quota_of_the_window_runs_out_with_agreeing_headers(getresponse_mock, http, token):
    getresponse_mock.state.count_calls(("", "VfEy1"), 30000, getresponse_mock.clock.now() - 500)

    response = http.get("/v3/accounts", headers=bearer(token))

    assert response.status_code == 429 and response.json()["code"] == 1015
    assert response.json()["context"]["timeToReset"] == response.headers["X-RateLimit-Reset"]
    assert int(response.headers["Retry-After"]) in (100, 101)


@pytest.mark.parametrize("path, authorized, forced", [
    ("/v3/accounts", False, None), ("/v3/nothing-here", True, None),
    ("/v3/from-fields", True, (400, 1000)), ("/v3/from-fields", True, (403, 1017))])
def test_rate_limit_headers_are_on_every_api_answer_errors_included(getresponse_mock, http, token,
                                                                    path, authorized, forced):
    if forced:
        getresponse_mock.fail_api(*forced)

    response = http.get(path, headers=bearer(token) if authorized else {})

    assert response.status_code >= 400
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(
        response.headers)


def test_documented_limits_can_be_enforced_per_second():
    with run_mock_server(clock=FrozenClock()) as mock, httpx.Client(base_url=mock.url) as http:
        mock.enforce_documented_limits()
        statuses = [http.get("/v3/accounts", headers=api_key()).status_code for _ in range(81)]
        refused = http.get("/v3/accounts", headers=api_key())
        mock.clock.advance(1)
        next_second = http.get("/v3/accounts", headers=api_key())

    assert statuses == [200] * 80 + [429]
    assert refused.json()["code"] == 1015 and refused.headers["Retry-After"] == "1"
    assert refused.json()["context"]["currentLimit"] == 80
    assert next_second.status_code == 200


def test_the_per_second_429_names_one_second_in_every_header_and_the_body():
    # A client that trusts X-RateLimit-Reset (the PyPI getresponse client) waits a second, not
    # the 10-minute window.
    with run_mock_server(clock=FrozenClock()) as mock, httpx.Client(base_url=mock.url) as http:
        mock.enforce_documented_limits()
        for _ in range(80):
            http.get("/v3/accounts", headers=api_key())
        refused = http.get("/v3/accounts", headers=api_key())

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Reset"] == refused.json()["context"]["timeToReset"] \
        == "1 seconds"
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_documented_limits_can_be_enforced_on_simultaneous_calls(getresponse_mock, token):
    getresponse_mock.enforce_documented_limits()
    getresponse_mock.set_latency(1500)  # each call holds its place long enough to overlap

    async def eleven_at_once():
        async with httpx.AsyncClient(base_url=getresponse_mock.url, timeout=10) as client:
            return await asyncio.gather(*(client.get("/v3/accounts", headers=bearer(token))
                                          for _ in range(11)))

    answers = run_async(eleven_at_once())

    assert sorted(a.status_code for a in answers) == [200] * 10 + [429]


def test_errors_have_getresponses_shapes(http, token):
    body = http.get("/v3/nothing-here", headers=bearer(token)).json()

    assert body["context"] == []  # PHP's empty array
    assert body["moreInfo"] == "https://apidocs.getresponse.com/en/v3/errors/1013"
    assert body["httpStatus"] == 404 and body["codeDescription"] == "The requested resource was not found"


def test_unknown_paths_check_the_token_first(http):
    response = http.get("/v3/nothing-here")

    assert response.status_code == 401 and response.json()["code"] == 1014


def test_fields_parameter_chooses_the_fields_and_keeps_the_id(http, token):
    account = http.get("/v3/accounts", params={"fields": "email"}, headers=bearer(token)).json()
    fields = http.get("/v3/from-fields", params={"fields": "name,isDefault"},
                      headers=bearer(token)).json()

    assert account == {"accountId": "VfEy1", "email": "ada.lovelace@example.com"}
    assert set(fields[0]) == {"fromFieldId", "name", "isDefault"}


def test_every_href_resolves(http, token):
    listed = http.get("/v3/from-fields", headers=bearer(token)).json()

    for field in listed:
        answer = http.get(field["href"], headers=bearer(token))
        assert answer.status_code == 200 and answer.json() == field
    missing = http.get("/v3/from-fields/nope", headers=bearer(token))
    assert missing.status_code == 404 and missing.json()["code"] == 1013


def test_from_fields_have_every_field_of_the_published_schema(http, token):
    field = http.get("/v3/from-fields", headers=bearer(token)).json()[0]

    assert set(field) == {"fromFieldId", "href", "email", "rewrittenEmail", "name", "isActive",
                          "isDefault", "createdOn", "domain"}
    assert set(field["domain"]) == {"status", "DKIMWarning", "hasDMARCWarning"}
