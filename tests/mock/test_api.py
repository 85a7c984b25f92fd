"""The protected resources: GetResponse's bodies, headers, error codes and MAX domains."""

import httpx
import pytest

from implicitflow_testing.mock._server import run_mock_server

from .helpers import token_request

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
