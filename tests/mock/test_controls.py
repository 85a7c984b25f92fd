"""The /_mock/ HTTP controls, for test runners in other languages, and the redacted log."""

import pytest

from .conftest import authorize_params
from .helpers import code_grant_tokens, consent, fragment_of, token_request


def test_consent_and_auto_approve_over_http(http):
    assert http.post("/_mock/consent", json={"auto_approve": True}).status_code == 200
    assert http.post("/_mock/consent", json={"next": "deny"}).status_code == 200

    denied = http.get("/oauth2_authorize.html", params=authorize_params())
    approved = http.get("/oauth2_authorize.html", params=authorize_params())

    assert fragment_of(denied)["error"] == "access_denied"
    assert "access_token" in fragment_of(approved)


def test_register_client_over_http(http):
    response = http.post("/_mock/clients", json={
        "client_id": "app", "client_secret": "s", "name": "My App",
        "redirect_uris": ["https://app.example/cb"]})

    assert response.status_code == 201
    assert "My App" in http.get("/oauth2_authorize.html", params=authorize_params(
        client_id="app", redirect_uri="https://app.example/cb")).text


def test_expire_one_token_over_http(http):
    keep = token_request(http, {"grant_type": "client_credentials"}).json()["access_token"]
    drop = token_request(http, {"grant_type": "client_credentials"}).json()["access_token"]

    assert http.post("/_mock/tokens/expire", json={"access_token": drop}).json() == {"expired": 1}

    assert http.get("/v3/accounts", headers={"Authorization": f"Bearer {keep}"}).status_code == 200
    assert http.get("/v3/accounts", headers={"Authorization": f"Bearer {drop}"}).status_code == 401


def test_token_lifetime_api_error_and_latency_over_http(http):
    assert http.post("/_mock/token-lifetime", json={"seconds": 7}).status_code == 200
    token = token_request(http, {"grant_type": "client_credentials"}).json()
    assert token["expires_in"] == 7

    assert http.post("/_mock/api-error", json={"status": 403, "code": 1017}).status_code == 200
    blocked = http.get("/v3/accounts", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert blocked.status_code == 403 and blocked.json()["code"] == 1017

    assert http.post("/_mock/latency", json={"ms": 0}).status_code == 200


def test_reset_forgets_tokens_and_switches(http):
    token = token_request(http, {"grant_type": "client_credentials"}).json()["access_token"]
    http.post("/_mock/consent", json={"auto_approve": True})

    assert http.post("/_mock/reset", json={}).status_code == 200

    assert http.get("/v3/accounts", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert http.get("/oauth2_authorize.html", params=authorize_params()).status_code == 200


@pytest.mark.parametrize("path, body", [
    ("/_mock/consent", {"next": "maybe"}),
    ("/_mock/consent", {"auto_approve": "yes"}),
    ("/_mock/token-lifetime", {"seconds": -1}),
    ("/_mock/api-error", {"status": 200, "code": 1}),
    ("/_mock/latency", {"ms": "slow"}),
    ("/_mock/clients", {"client_id": "x"}),
    ("/_mock/clock", {"advance": -5}),
])
def test_bad_control_requests_get_a_clear_400(http, path, body):
    response = http.post(path, json=body)

    assert response.status_code == 400
    assert response.json()["error_description"]


def test_non_json_control_body_gets_400(http):
    assert http.post("/_mock/consent", content=b"{not json",
                     headers={"Content-Type": "application/json"}).status_code == 400


def test_request_log_redacts_codes_tokens_and_secrets(getresponse_mock, http):
    tokens = code_grant_tokens(http)
    fragment = fragment_of(consent(http))
    http.get("/v3/accounts", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    http.get("/oauth2_authorize.html", params={**authorize_params(), "code": "leaky-code"})

    log = repr(getresponse_mock.requests()) + http.get("/_mock/requests").text

    for secret in (tokens["access_token"], tokens["refresh_token"], fragment["access_token"],
                   "demo-secret", "leaky-code"):
        assert secret not in log
    assert "<redacted>" in log


@pytest.mark.parametrize("path", ["/favicon.ico",
                                  "/.well-known/appspecific/com.chrome.devtools.json"])
def test_requests_a_browser_makes_by_itself_stay_out_of_the_log(getresponse_mock, http, path):
    http.get("/oauth2_authorize.html", params=authorize_params())

    assert http.get(path).status_code == 404
    assert [r["path"] for r in getresponse_mock.requests()] == ["/oauth2_authorize.html"]


def test_request_log_redacts_secrets_in_any_case_and_in_urls_in_headers(getresponse_mock, http):
    http.get("/oauth2_authorize.html", params={**authorize_params(), "ACCESS_TOKEN": "upper-secret"},
             headers={"Referer": "http://127.0.0.1:8000/cb?code=referer-code&state=s#access_token=x"})
    http.get("/v3/accounts", headers={"X-Auth-Token": "api-key key-secret"})

    log = repr(getresponse_mock.requests()) + http.get("/_mock/requests").text

    for secret in ("upper-secret", "referer-code", "key-secret", "access_token=x"):
        assert secret not in log
    assert "state=s" in log  # what is not secret stays readable


def test_get_mock_lists_every_control_with_its_python_twin(http):
    controls = http.get("/_mock/").json()["controls"]

    paths = {control["path"] for control in controls}
    assert {"/_mock/reset", "/_mock/consent", "/_mock/api-error", "/_mock/documented-limits",
            "/_mock/requests"} <= paths
    assert all(control["python"] for control in controls)
