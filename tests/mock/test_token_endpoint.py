"""POST /v3/token: the seed's three token grants, with HTTP Basic client authentication."""

import threading

import pytest

from .helpers import authorization_code, code_grant_tokens, consent, query_of, token_request


def test_authorization_code_grant_answers_the_seed_shape(http):
    body = code_grant_tokens(http)

    assert set(body) == {"access_token", "expires_in", "token_type", "scope", "refresh_token"}
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer" and body["scope"] is None


def test_token_response_is_not_cached(http):
    response = token_request(http, {"grant_type": "client_credentials"})

    assert response.headers["cache-control"] == "no-store"


def test_authorization_code_is_single_use(http):
    code = authorization_code(http)
    first = token_request(http, {"grant_type": "authorization_code", "code": code})
    second = token_request(http, {"grant_type": "authorization_code", "code": code})

    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_authorization_code_expires_after_ten_minutes(getresponse_mock, http):
    code = authorization_code(http)
    getresponse_mock.clock.advance(601)

    response = token_request(http, {"grant_type": "authorization_code", "code": code})

    assert response.json()["error"] == "invalid_grant"


def test_redirect_uri_given_at_authorization_must_be_repeated(http):
    code = query_of(consent(http, response_type="code"))["code"]
    without = token_request(http, {"grant_type": "authorization_code", "code": code})
    assert without.status_code == 400

    code = query_of(consent(http, response_type="code"))["code"]
    repeated = token_request(http, {"grant_type": "authorization_code", "code": code,
                                    "redirect_uri": "http://127.0.0.1:8000/callback"})
    assert repeated.status_code == 200


def test_client_credentials_grant_answers_the_seed_shape(http):
    body = token_request(http, {"grant_type": "client_credentials"}).json()

    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["expires_in"] == 86400 and body["token_type"] == "Bearer" and body["scope"] is None


def test_refresh_returns_a_new_access_token_and_the_same_refresh_token(http):
    first = code_grant_tokens(http)

    body = token_request(http, {"grant_type": "refresh_token",
                                "refresh_token": first["refresh_token"]}).json()

    assert body["access_token"] != first["access_token"]
    assert body["refresh_token"] == first["refresh_token"]
    assert body["expires_in"] == 86400


def test_refresh_rotation_issues_a_new_refresh_token_and_retires_the_old(getresponse_mock, http):
    getresponse_mock.set_refresh_rotation(True)
    first = code_grant_tokens(http)

    body = token_request(http, {"grant_type": "refresh_token",
                                "refresh_token": first["refresh_token"]}).json()
    again = token_request(http, {"grant_type": "refresh_token",
                                 "refresh_token": first["refresh_token"]})

    assert body["refresh_token"] != first["refresh_token"]
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("auth", [("demo-client", "wrong"), ("nobody", "demo-secret"), None])
def test_bad_client_authentication_is_refused(http, auth):
    response = token_request(http, {"grant_type": "client_credentials"}, auth=auth)

    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"


def test_unknown_grant_type_is_refused(http):
    response = token_request(http, {"grant_type": "password", "username": "a", "password": "b"})

    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


def test_token_lifetime_switch(getresponse_mock, http):
    getresponse_mock.set_token_lifetime(5)

    assert token_request(http, {"grant_type": "client_credentials"}).json()["expires_in"] == 5


def test_concurrent_redemptions_of_one_code_succeed_exactly_once(getresponse_mock, http):
    import httpx

    code = authorization_code(http)
    statuses = []

    def redeem():
        with httpx.Client(base_url=getresponse_mock.url, timeout=30) as client:
            statuses.append(token_request(client, {"grant_type": "authorization_code",
                                                   "code": code}).status_code)

    threads = [threading.Thread(target=redeem) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [400] * 19


def test_a_repeated_parameter_is_invalid_request(http):
    # RFC 6749 3.2: request parameters MUST NOT be included more than once.
    response = http.post("/v3/token", auth=("demo-client", "demo-secret"),
                         content=b"grant_type=client_credentials&grant_type=authorization_code",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert "grant_type" in response.json()["error_description"]


def test_grant_type_in_the_query_string_does_not_count(http):
    response = token_request(http, {}, params={"grant_type": "client_credentials"})

    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_basic_authentication_with_another_client_id_in_the_body_is_refused(getresponse_mock, http):
    getresponse_mock.register_client("other", "other-secret", ["https://app.example/cb"])

    response = token_request(http, {"grant_type": "client_credentials", "client_id": "other"})
    secret_too = token_request(http, {"grant_type": "client_credentials",
                                      "client_secret": "demo-secret"})

    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert secret_too.status_code == 400 and secret_too.json()["error"] == "invalid_request"


def test_basic_authentication_with_its_own_client_id_in_the_body_is_taken(http):
    # RFC 6749 3.2.1: a client MAY send client_id to identify itself at the token endpoint; it
    # identifies, it does not authenticate, so it is not a second method (2.3.1). requests-oauthlib
    # and Authlib's clients send it beside HTTP Basic.
    response = token_request(http, {"grant_type": "client_credentials",
                                    "client_id": "demo-client"})

    assert response.status_code == 200 and response.json()["access_token"]


def pkce_code(http, challenge):
    return query_of(consent(http, response_type="code", redirect_uri=None,
                            code_challenge=challenge, code_challenge_method="S256"))["code"]


VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # BASE64URL(SHA256(VERIFIER))


def test_pkce_code_verifier_is_checked_when_a_challenge_was_sent(http):
    wrong = token_request(http, {"grant_type": "authorization_code",
                                 "code": pkce_code(http, CHALLENGE), "code_verifier": "x" * 43})
    right = token_request(http, {"grant_type": "authorization_code",
                                 "code": pkce_code(http, CHALLENGE), "code_verifier": VERIFIER})
    missing = token_request(http, {"grant_type": "authorization_code",
                                   "code": pkce_code(http, CHALLENGE)})

    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert right.status_code == 200
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


def test_a_code_verifier_without_a_challenge_is_refused(http):
    # RFC 9700 4.8: a code_verifier for a code issued without code_challenge is rejected.
    response = token_request(http, {"grant_type": "authorization_code",
                                    "code": authorization_code(http), "code_verifier": VERIFIER})

    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("auth, status, code", [(("demo-client", "wrong"), 401, 1014), (None, 401, 1014)])
def test_token_errors_carry_getresponse_error_body(http, auth, status, code):
    # What GetResponse's own OAuth2 provider parses (oauth2-getresponse, checkResponse).
    body = token_request(http, {"grant_type": "client_credentials"}, auth=auth).json()

    assert body["httpStatus"] == status and body["code"] == code and body["message"]
    assert body["moreInfo"] == f"https://apidocs.getresponse.com/en/v3/errors/{code}"


def test_bad_code_answers_getresponse_error_body_and_rfc_error(http):
    body = token_request(http, {"grant_type": "authorization_code", "code": "nope"}).json()

    assert body["httpStatus"] == 400 and body["code"] == 1000 and body["error"] == "invalid_grant"
