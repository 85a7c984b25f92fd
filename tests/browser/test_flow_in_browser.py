"""The implicit flow under Brython, through the mock's consent page: in Chromium, and the tests
marked `engines` also in Firefox and WebKit (tests/browser/conftest.py)."""

import pytest
from tests.browser.engine_probes import record_callback_url, recorded_callback_url, token_in

pytestmark = pytest.mark.browser


@pytest.mark.engines()
def test_sign_in_through_the_consent_page(flow_page):
    outcome = flow_page.sign_in(return_to="/inbox")

    assert outcome == "login /inbox"
    assert flow_page.has_token()
    assert flow_page.events() == ["login"]


@pytest.mark.engines()
def test_token_is_gone_from_the_address_bar_and_history(flow_page):
    record_callback_url(flow_page.page)
    flow_page.sign_in()
    token = token_in(recorded_callback_url(flow_page.page))

    assert "#" not in flow_page.page.url
    assert token not in flow_page.page.evaluate("location.href")
    flow_page.page.go_back()
    flow_page.page.wait_for_load_state()
    assert token not in flow_page.page.url  # the entry before is the consent page
    assert flow_page.page.url.startswith(flow_page.mock.authorize_url)


def test_token_is_kept_in_session_storage_never_local_storage(flow_page):
    flow_page.sign_in()
    token = flow_page.redirects[-1].split("access_token=")[1].split("&")[0]

    assert token in flow_page.page.evaluate("JSON.stringify(sessionStorage)")
    assert token not in flow_page.page.evaluate("JSON.stringify(localStorage)")


@pytest.mark.engines()
def test_deny_is_reported_as_authorization_denied(flow_page):
    flow_page.open()
    flow_page.start_login()
    flow_page.page.get_by_role("button", name="Deny").click()

    outcome = flow_page.arrived()

    assert outcome["name"] == "AuthorizationDeniedError" and outcome["error"] == "access_denied"
    assert not flow_page.has_token()
    assert flow_page.events() == ["error"]


@pytest.mark.engines()
def test_wrong_state_from_the_server_is_rejected(flow_page, getresponse_mock):
    getresponse_mock.wrong_state_next()  # answers at once, without the consent page
    flow_page.open()
    flow_page.start_login()

    outcome = flow_page.arrived()

    assert outcome["name"] == "StateMismatchError" and outcome["reason"] == "unknown"
    assert not flow_page.has_token()


def test_missing_state_is_rejected(flow_page):
    outcome = flow_page.open(flow_page.url + "#access_token=abc&token_type=bearer&expires_in=3600")

    assert outcome["reason"] == "missing"
    assert "abc" not in flow_page.page.url


@pytest.mark.engines()
def test_back_to_the_callback_url_is_a_replay(flow_page):
    record_callback_url(flow_page.page)
    flow_page.sign_in()
    callback_url = recorded_callback_url(flow_page.page)

    outcome = flow_page.open(callback_url)

    assert outcome["reason"] == "replayed"


def test_stale_state_is_rejected(flow_page):
    flow_page.open()
    flow_page.start_login()
    now = flow_page.page.evaluate("Date.now()")
    flow_page.page.clock.install(time=now + 11 * 60 * 1000)
    flow_page.page.get_by_role("button", name="Allow").click()

    outcome = flow_page.arrived()

    assert outcome["reason"] == "stale"
    assert not flow_page.has_token()


def test_callback_crafted_by_an_attacker_is_rejected(flow_page, getresponse_mock):
    import httpx

    attacker_token = httpx.post(getresponse_mock.api_base + "/token", auth=("demo-client", "demo-secret"),
                                data={"grant_type": "client_credentials"}).json()["access_token"]
    flow_page.open()
    flow_page.start_login()  # the victim has a login of their own pending
    crafted = (f"{flow_page.url}#access_token={attacker_token}&state={'a' * 64}"
               "&token_type=bearer&expires_in=3600")

    outcome = flow_page.open(crafted)

    assert outcome["name"] == "StateMismatchError"
    assert not flow_page.has_token()


def test_expiring_then_expired_with_the_browser_clock(flow_page, getresponse_mock):
    getresponse_mock.set_token_lifetime(120)
    flow_page.page.clock.install()
    flow_page.sign_in()

    flow_page.page.clock.run_for(50_000)
    assert flow_page.events() == ["login"]
    flow_page.page.clock.run_for(10_000)  # 120 - 5 s skew - 60 s margin = 55 s
    assert flow_page.events() == ["login", "expiring"]
    flow_page.page.clock.run_for(60_000)
    assert flow_page.events() == ["login", "expiring", "expired"]
    assert not flow_page.has_token()


def test_sleeping_tab_finds_the_token_expired_on_first_read(flow_page):
    flow_page.page.clock.install()
    flow_page.sign_in()
    now = flow_page.page.evaluate("Date.now()")

    flow_page.page.clock.set_system_time(now + 2 * 3600 * 1000)  # no timer fires

    assert flow_page.events() == ["login"]
    assert not flow_page.has_token()
    assert not flow_page.has_token()
    assert flow_page.events() == ["login", "expired"]


def test_api_call_through_the_same_origin_proxy(flow_page):
    flow_page.sign_in()

    result = flow_page.call_api("/accounts")

    assert result["ok"]["accountId"] == "VfEy1"


@pytest.mark.engines()
def test_1014_from_the_api_drops_the_token(flow_page, getresponse_mock):
    flow_page.sign_in()
    getresponse_mock.expire_tokens()

    result = flow_page.call_api("/accounts")

    assert result["name"] == "TokenExpiredError"
    assert not flow_page.has_token()
    assert flow_page.events() == ["login", "expired"]


@pytest.mark.engines()
def test_quota_is_rate_limited_error(flow_page, getresponse_mock):
    flow_page.sign_in()
    getresponse_mock.fail_api(429, 1015)

    result = flow_page.call_api("/from-fields")

    # GetResponse says when the quota refills as "<n> seconds" (body timeToReset).
    assert result["name"] == "RateLimitedError" and result["reset"].endswith(" seconds")


def test_max_sends_x_domain_on_api_calls(max_flow_page, getresponse_max_mock):
    max_flow_page.sign_in()

    result = max_flow_page.call_api("/accounts")

    assert result["ok"]["accountId"] == "VfEy1"
    api_calls = [r for r in getresponse_max_mock.requests() if r["path"] == "/v3/accounts"]
    assert api_calls[-1]["x_domain"] == "acme.getresponse360.com"


def test_logout(flow_page):
    flow_page.sign_in()

    flow_page.page.evaluate("() => { window.logout() }")

    assert not flow_page.has_token()
    assert flow_page.events() == ["login", "logout"]


@pytest.mark.engines()
def test_logout_in_one_tab_signs_out_the_others_sharing_local_storage(flow_page):
    flow_page.configure(storage="local")
    flow_page.sign_in()
    other = flow_page.page.context.new_page()
    other.goto(flow_page.url)
    other.wait_for_function("window.pythonDone === true")
    assert other.evaluate("window.hasToken()")

    flow_page.page.evaluate("() => { window.logout() }")

    other.wait_for_function("Array.from(window.events).includes('logout')", timeout=5000)
    assert not other.evaluate("window.hasToken()")


def test_a_login_in_one_tab_stays_in_that_tab_with_session_storage(flow_page):
    flow_page.sign_in()
    other = flow_page.page.context.new_page()
    other.goto(flow_page.url)
    other.wait_for_function("window.pythonDone === true")

    assert flow_page.has_token()
    assert not other.evaluate("window.hasToken()")


def test_calling_the_api_cross_origin_is_a_network_error_that_names_the_proxy(flow_page):
    flow_page.configure(apiBase=flow_page.mock.api_base)  # no proxy: the mock sends no CORS headers
    flow_page.sign_in()

    result = flow_page.call_api("/accounts")

    assert result["name"] == "NetworkError"
    assert "same-origin proxy" in result["message"]
    assert flow_page.has_token()
