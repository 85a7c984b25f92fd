"""GET/POST /oauth2_authorize.html: consent, the implicit and code redirects, errors (RFC 6749 4.1, 4.2)."""

from .conftest import REDIRECT_URI, authorize_params
from .helpers import consent, fragment_of, query_of


def test_consent_page_names_the_client_and_offers_allow_and_deny(http):
    page = http.get("/oauth2_authorize.html", params=authorize_params())

    assert page.status_code == 200
    assert "implicitflow demo" in page.text
    assert ">Allow</button>" in page.text and ">Deny</button>" in page.text


def test_allow_redirects_with_the_token_in_the_fragment_as_getresponse_does(http):
    fragment = fragment_of(consent(http, "allow"))

    assert set(fragment) == {"access_token", "token_type", "expires_in", "state"}
    assert fragment["token_type"] == "bearer"
    assert fragment["expires_in"] == "3600"
    assert fragment["state"] == "xyz"
    assert len(fragment["access_token"]) == 40


def test_the_redirect_goes_to_the_redirect_uri_of_the_request(http):
    response = consent(http, "allow", redirect_uri="http://localhost:5173/app/cb?x=1")

    assert response.headers["location"].startswith("http://localhost:5173/app/cb?x=1#access_token=")


def test_deny_redirects_with_access_denied(http):
    fragment = fragment_of(consent(http, "deny"))

    assert fragment["error"] == "access_denied"
    assert fragment["state"] == "xyz"
    assert fragment["error_description"]
    assert "access_token" not in fragment


def test_unknown_client_gets_an_error_page_not_a_redirect(http):
    page = http.get("/oauth2_authorize.html", params=authorize_params(client_id="nobody"))

    assert page.status_code == 400
    assert "location" not in page.headers
    assert "invalid_client" in page.text


def test_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(getresponse_mock, http):
    getresponse_mock.register_client("strict", "s3cret", ["https://app.example/cb"])

    page = http.get("/oauth2_authorize.html",
                    params=authorize_params(client_id="strict", redirect_uri="https://evil.example/cb"))

    assert page.status_code == 400
    assert "location" not in page.headers


def test_registered_client_matches_redirect_uri_exactly(getresponse_mock, http):
    getresponse_mock.register_client("strict", "s3cret", ["https://app.example/cb"])

    ok = consent(http, client_id="strict", redirect_uri="https://app.example/cb")
    near_miss = consent(http, client_id="strict", redirect_uri="https://app.example/cb/")

    assert ok.headers["location"].startswith("https://app.example/cb#access_token=")
    assert near_miss.status_code == 400 and "location" not in near_miss.headers


def test_unsupported_response_type_is_redirected_as_an_rfc_error(http):
    response = http.get("/oauth2_authorize.html", params=authorize_params(response_type="id_token"))

    assert query_of(response)["error"] == "unsupported_response_type"


def test_missing_response_type_is_an_rfc_error(http):
    response = http.get("/oauth2_authorize.html", params=authorize_params(response_type=None))

    assert response.status_code in (302, 400)
    where = response.headers.get("location", "") + response.text
    assert "unsupported_response_type" in where or "invalid_request" in where


def test_repeated_parameter_is_refused(http):
    response = http.get("/oauth2_authorize.html?" + "&".join(
        f"{k}={v}" for k, v in authorize_params().items()) + "&state=again")

    assert response.status_code in (302, 400)
    assert "access_token" not in response.headers.get("location", "")


def test_auto_approve_skips_the_consent_page(getresponse_mock, http):
    getresponse_mock.set_auto_approve(True)

    response = http.get("/oauth2_authorize.html", params=authorize_params())

    assert "access_token" in fragment_of(response)


def test_deny_next_applies_once(getresponse_mock, http):
    getresponse_mock.set_auto_approve(True)
    getresponse_mock.deny_next()

    first = http.get("/oauth2_authorize.html", params=authorize_params())
    second = http.get("/oauth2_authorize.html", params=authorize_params())

    assert fragment_of(first)["error"] == "access_denied"
    assert "access_token" in fragment_of(second)


def test_wrong_state_switch_returns_a_state_never_sent(getresponse_mock, http):
    getresponse_mock.wrong_state_next()

    fragment = fragment_of(http.get("/oauth2_authorize.html", params=authorize_params()))

    assert fragment["state"] != "xyz" and "access_token" in fragment


def test_code_flow_redirects_to_the_registered_callback(http):
    response = consent(http, response_type="code", redirect_uri=None)

    assert response.headers["location"].startswith("http://localhost/callback?code=")
    assert query_of(response)["state"] == "xyz"


def test_code_flow_uses_a_registered_redirect_uri_given_in_the_request(http):
    response = consent(http, response_type="code")

    assert response.headers["location"].startswith(REDIRECT_URI + "?code=")


def test_consent_page_names_the_person_by_name_and_email(http):
    page = http.get("/oauth2_authorize.html", params=authorize_params()).text

    assert '<b id="account-name">Ada Lovelace</b>' in page
    assert "ada.lovelace@example.com" in page
    assert "VfEy1" not in page


def test_a_repeated_parameter_gets_an_error_page_not_a_redirect(http):
    # RFC 6749 3.1: parameters MUST NOT be repeated; which redirect_uri would be the real one?
    page = http.get("/oauth2_authorize.html?" + "&".join([
        "response_type=token", "client_id=demo-client", "state=s",
        "redirect_uri=http://127.0.0.1:8000/cb", "redirect_uri=http://localhost:9/other"]))

    assert page.status_code == 400 and "location" not in page.headers
    assert "redirect_uri" in page.text
