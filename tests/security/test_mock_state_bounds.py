"""What the mock remembers stays bounded under sustained load: each store has a cap from `Limits`,
the oldest entry is forgotten first, codes and tokens whose time is up are dropped a few at a
time, and a forgotten credential is answered exactly as one the mock never issued.

Sizes after N issues, not timings: the caps are small here so that N can be several times each.
"""

import httpx
import pytest

from implicitflow_testing.mock import Limits
from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.mock._state import EXPIRED_TOKEN_MEMORY, PURGE_PER_ADD, MockState
from tests.mock.helpers import authorization_code, token_request

ISSUES = 200
CAPS = Limits(max_tokens=50, max_refresh_tokens=30, max_codes=20, max_rate_buckets=5)


@pytest.fixture
def small_mock():
    with run_mock_server(limits=CAPS) as mock, httpx.Client(base_url=mock.url, timeout=10) as http:
        yield mock, http


def client_credentials(http):
    return token_request(http, {"grant_type": "client_credentials"}).json()["access_token"]


def redeem(http, code):
    return token_request(http, {"grant_type": "authorization_code", "code": code}).json()


def without_uuid(response):
    return response.status_code, {k: v for k, v in response.json().items() if k != "uuid"}


def test_each_store_keeps_at_most_its_cap_the_last_issued(small_mock, security_report):
    mock, http = small_mock
    state = mock.state

    tokens = [client_credentials(http) for _ in range(ISSUES)]
    assert list(state.tokens) == tokens[-CAPS.max_tokens:]

    codes = [authorization_code(http) for _ in range(ISSUES)]
    assert list(state.codes) == codes[-CAPS.max_codes:]

    refresh_tokens = [redeem(http, authorization_code(http))["refresh_token"]
                      for _ in range(ISSUES)]
    assert list(state.refresh_tokens) == refresh_tokens[-CAPS.max_refresh_tokens:]
    sizes = (len(state.tokens), len(state.refresh_tokens), len(state.codes))
    security_report["mock stores after 200 issues of each kind"] = (
        "{} tokens, {} refresh tokens, {} codes".format(*sizes)
        + f" (caps {CAPS.max_tokens}, {CAPS.max_refresh_tokens}, {CAPS.max_codes})")
    # The last code made for a refresh token was redeemed: one place is free.
    assert sizes == (CAPS.max_tokens, CAPS.max_refresh_tokens, CAPS.max_codes - 1)


def test_a_forgotten_token_is_answered_as_an_unknown_one(small_mock):
    mock, http = small_mock
    first = client_credentials(http)
    for _ in range(CAPS.max_tokens):
        client_credentials(http)

    forgotten = http.get("/v3/accounts", headers={"Authorization": f"Bearer {first}"})
    unknown = http.get("/v3/accounts", headers={"Authorization": f"Bearer {'0' * 40}"})

    assert first not in mock.state.tokens
    assert without_uuid(forgotten) == without_uuid(unknown)
    assert forgotten.status_code == 401 and forgotten.json()["code"] == 1014
    assert forgotten.json()["context"] == {"authenticationType": "auth_token"}


def test_a_forgotten_refresh_token_or_code_is_answered_as_an_unknown_one(small_mock):
    mock, http = small_mock
    first_refresh = redeem(http, authorization_code(http))["refresh_token"]
    first_code = authorization_code(http)
    for _ in range(max(CAPS.max_refresh_tokens, CAPS.max_codes)):
        redeem(http, authorization_code(http))
        authorization_code(http)

    def refresh(value):
        return token_request(http, {"grant_type": "refresh_token", "refresh_token": value})

    def exchange(value):
        return token_request(http, {"grant_type": "authorization_code", "code": value})

    assert first_refresh not in mock.state.refresh_tokens and first_code not in mock.state.codes
    assert without_uuid(refresh(first_refresh)) == without_uuid(refresh("0" * 40))
    assert without_uuid(exchange(first_code)) == without_uuid(exchange("0" * 40))
    assert refresh(first_refresh).status_code == 400


def test_an_expired_token_is_known_as_expired_for_a_day_then_forgotten(small_mock):
    mock, http = small_mock
    token = client_credentials(http)
    mock.expire_tokens(token)

    mock.clock.advance(EXPIRED_TOKEN_MEMORY - 1)
    expired = http.get("/v3/accounts", headers={"Authorization": f"Bearer {token}"})
    mock.clock.advance(1)
    forgotten = http.get("/v3/accounts", headers={"Authorization": f"Bearer {token}"})

    assert expired.json()["message"] == "The access token provided is expired"
    assert forgotten.status_code == 401 and forgotten.json()["context"] == {
        "authenticationType": "auth_token"}
    assert token not in mock.state.tokens


def test_expired_codes_go_a_few_at_a_time_as_new_ones_arrive(small_mock):
    mock, http = small_mock
    codes = [authorization_code(http) for _ in range(10)]
    mock.clock.advance(601)

    new = [authorization_code(http) for _ in range(3)]
    after_three = len(mock.state.codes)
    lookup = mock.state.codes.get(codes[-1])  # read: dropped at once
    more = [authorization_code(http) for _ in range(CAPS.max_codes)]

    assert after_three == 10 - 3 * PURGE_PER_ADD + 3
    assert lookup is None and codes[-1] not in mock.state.codes
    assert list(mock.state.codes) == (new + more)[-CAPS.max_codes:]


def test_idle_rate_buckets_go_and_the_cap_holds():
    state = MockState(max_domains=[f"d{index}.example" for index in range(20)], limits=CAPS)
    for index in range(20):
        state.take_rate_limit(state.principal("VfEy1", f"d{index}.example"))
    kept = list(state.rate_buckets)
    state.clock.advance(600)
    state.take_rate_limit(state.principal("VfEy1", "d0.example"))

    assert kept == [(f"d{index}.example", "VfEy1") for index in range(15, 20)]
    # d15 went for the cap, then d16 and d17 because their windows were over.
    assert list(state.rate_buckets) == [(f"d{index}.example", "VfEy1") for index in (18, 19, 0)]
