"""ImplicitFlow end to end against a stand-in page: sign-in, state checks, expiry, tabs, API calls."""

from urllib.parse import parse_qs, urlsplit

import pytest

from implicitflow import (
    ApiError,
    AuthorizationDeniedError,
    ConfigurationError,
    ImplicitFlow,
    LoginRequiredError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    StateMismatchError,
    TokenExpiredError,
    UnsafeReturnToError,
    getresponse,
    getresponse_max,
)
from implicitflow.token import TOKEN_PREFIX

from .conftest import REDIRECT_URI, return_from_provider, state_of
from .fake_browser import FakeBrowser


def run(coroutine):
    """Drive a coroutine that never suspends (the fake fetch answers at once).

    Not asyncio.run(): pytest-playwright's sync API keeps an event loop running in this
    thread once a browser test has run, and asyncio refuses to start a second one.
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the coroutine suspended; the fake browser never should")


def record(flow, *names):
    seen = []
    for name in names:
        flow.on(name, lambda value, name=name: seen.append(name))
    return seen


class TestLogin:
    def test_login_redirects_to_the_authorize_url_with_a_fresh_state(self, flow, browser):
        flow.login()

        url = urlsplit(browser.navigations[0])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert url.netloc == "app.getresponse.com" and url.path == "/oauth2_authorize.html"
        assert query["response_type"] == "token" and query["client_id"] == "demo-client"
        assert query["redirect_uri"] == REDIRECT_URI and len(query["state"]) == 64

    def test_every_login_has_its_own_state(self, flow, browser):
        flow.login()
        flow.login()

        assert state_of(browser.navigations[0]) != state_of(browser.navigations[1])

    def test_unsafe_return_to_is_refused_before_leaving(self, flow, browser):
        with pytest.raises(UnsafeReturnToError):
            flow.login(return_to="https://evil.example/")
        assert browser.navigations == []


class TestHandleRedirect:
    def test_nothing_to_do_without_a_fragment(self, flow):
        assert flow.handle_redirect() is None

    def test_in_page_anchor_is_left_alone(self, flow, browser):
        browser.arrive(REDIRECT_URI + "#section-2")

        assert flow.handle_redirect() is None
        assert browser.url.endswith("#section-2")

    def test_happy_path_stores_the_token_with_its_expiry(self, flow, browser):
        seen = record(flow, "login")
        return_from_provider(browser, flow, return_to="/inbox")

        result = flow.handle_redirect()

        assert result.return_to == "/inbox"
        assert result.token.access_token == "tok-123"
        assert result.token.expires_at == browser.clock + 3600
        assert flow.token == result.token
        assert seen == ["login"]

    def test_fragment_is_scrubbed_from_address_bar_and_history(self, flow, browser):
        return_from_provider(browser, flow)

        flow.handle_redirect()

        assert "#" not in browser.url
        assert not any("tok-123" in entry for entry in browser.history)

    def test_fragment_is_scrubbed_even_when_handling_fails(self, flow, browser):
        return_from_provider(browser, flow, state="f" * 64)

        with pytest.raises(StateMismatchError):
            flow.handle_redirect()
        assert "#" not in browser.url and flow.token is None

    def test_calling_it_twice_is_harmless(self, flow, browser):
        return_from_provider(browser, flow)
        first = flow.handle_redirect()

        assert flow.handle_redirect() is None
        assert flow.token == first.token

    def test_replayed_callback_url_is_rejected(self, flow, browser):
        return_from_provider(browser, flow)
        flow.handle_redirect()
        state = state_of(browser.navigations[-1])

        browser.arrive(f"{REDIRECT_URI}#access_token=tok-123&state={state}&token_type=bearer")
        with pytest.raises(StateMismatchError) as caught:
            flow.handle_redirect()
        assert caught.value.reason == "replayed"

    def test_login_csrf_with_an_attackers_own_token_and_state_is_rejected(self, flow, browser):
        flow.login()
        attacker_state = "a" * 64
        browser.arrive(f"{REDIRECT_URI}#access_token=attacker&state={attacker_state}&token_type=bearer")

        with pytest.raises(StateMismatchError):
            flow.handle_redirect()
        assert flow.token is None

    def test_stale_state_is_rejected(self, flow, browser):
        return_from_provider(browser, flow)
        browser.advance(601)

        with pytest.raises(StateMismatchError) as caught:
            flow.handle_redirect()
        assert caught.value.reason == "stale"

    def test_missing_state_is_rejected(self, flow, browser):
        return_from_provider(browser, flow, state=None)

        with pytest.raises(StateMismatchError) as caught:
            flow.handle_redirect()
        assert caught.value.reason == "missing"

    def test_login_from_another_tab_does_not_validate_here(self, provider):
        tab_a, tab_b = FakeBrowser(), FakeBrowser()
        flow_a = ImplicitFlow(provider, environment=tab_a)
        flow_b = ImplicitFlow(provider, environment=tab_b)
        flow_a.login()
        state = state_of(tab_a.navigations[0])
        tab_b.arrive(f"{REDIRECT_URI}#access_token=t&state={state}&token_type=bearer")

        with pytest.raises(StateMismatchError):
            flow_b.handle_redirect()

    def test_two_logins_at_once_both_complete(self, flow, browser):
        flow.login()
        flow.login()
        for url in browser.navigations:
            browser.arrive(f"{REDIRECT_URI}#access_token=t&state={state_of(url)}&token_type=bearer")
            assert flow.handle_redirect() is not None

    def test_denial_becomes_authorization_denied_after_the_state_check(self, flow, browser):
        seen = record(flow, "error")
        return_from_provider(browser, flow, fragment=None, access_token=None, token_type=None,
                             expires_in=None, error="access_denied", error_description="No thanks")

        with pytest.raises(AuthorizationDeniedError) as caught:
            flow.handle_redirect()
        assert caught.value.description == "No thanks"
        assert seen == ["error"]

    def test_denial_with_a_foreign_state_is_a_state_error(self, flow, browser):
        flow.login()
        browser.arrive(f"{REDIRECT_URI}#error=access_denied&state={'b' * 64}")

        with pytest.raises(StateMismatchError):
            flow.handle_redirect()

    def test_malformed_fragment_is_a_typed_error(self, flow, browser):
        return_from_provider(browser, flow, expires_in="-1")

        with pytest.raises(MalformedResponseError):
            flow.handle_redirect()
        assert flow.token is None


class TestExpiry:
    @pytest.fixture
    def signed_in(self, flow, browser):
        return_from_provider(browser, flow, expires_in="300")
        flow.handle_redirect()
        return flow

    def test_expiring_then_expired_fire_once_each_at_their_times(self, signed_in, browser):
        seen = record(signed_in, "expiring", "expired")

        browser.advance(300 - 5 - 60 - 1)
        assert seen == []
        browser.advance(2)
        assert seen == ["expiring"]
        browser.advance(60)
        assert seen == ["expiring", "expired"]
        assert signed_in.token is None
        browser.advance(1000)
        assert seen == ["expiring", "expired"]

    def test_expired_fires_even_when_timers_fire_early(self, flow, browser):
        browser.timers_early_by = 0.002
        return_from_provider(browser, flow, expires_in="300")
        flow.handle_redirect()
        seen = record(flow, "expiring", "expired")

        browser.advance(300)

        assert seen == ["expiring", "expired"]

    def test_sleeping_tab_finds_the_token_expired_on_first_read(self, signed_in, browser):
        seen = record(signed_in, "expired")
        browser.advance(10_000, timers_run=False)

        assert signed_in.token is None
        assert signed_in.token is None
        assert seen == ["expired"]

    def test_waking_up_checks_expiry(self, signed_in, browser):
        seen = record(signed_in, "expired")
        browser.advance(10_000, timers_run=False)

        browser.wake()

        assert seen == ["expired"]

    def test_token_survives_a_reload_with_session_storage(self, signed_in, browser, provider):
        reloaded = ImplicitFlow(provider, environment=browser)

        assert reloaded.token == signed_in.token

    def test_memory_storage_keeps_nothing_across_reloads(self, browser, provider):
        flow = ImplicitFlow(provider, storage="memory", environment=browser)
        return_from_provider(browser, flow)
        flow.handle_redirect()

        assert flow.token is not None
        assert ImplicitFlow(provider, storage="memory", environment=browser).token is None
        assert not any(k.startswith("implicitflow.token") for k in browser.session.keys())

    def test_token_is_never_in_local_storage_unless_asked(self, signed_in, browser):
        assert browser.local.keys() == []

    def test_logout_clears_the_token_and_fires_logout(self, signed_in, browser):
        seen = record(signed_in, "logout")

        signed_in.logout()

        assert signed_in.token is None and seen == ["logout"]
        assert not any(k.startswith("implicitflow.token") for k in browser.session.keys())

    def test_logout_in_another_tab_with_shared_storage_signs_this_one_out(self, provider):
        tab_a, tab_b = FakeBrowser(), FakeBrowser()
        tab_b.local = tab_a.local
        flow_a = ImplicitFlow(provider, storage="local", environment=tab_a)
        return_from_provider(tab_a, flow_a)
        flow_a.handle_redirect()
        flow_b = ImplicitFlow(provider, storage="local", environment=tab_b)
        seen = record(flow_b, "logout")
        assert flow_b.token is not None

        flow_a.logout()
        for callback in tab_b.storage_callbacks:
            callback(TOKEN_PREFIX + provider.token_key)

        assert flow_b.token is None and seen == ["logout"]

    def test_corrupt_stored_token_is_an_error_event_and_no_token(self, browser, provider):
        key = TOKEN_PREFIX + provider.token_key
        browser.session.set(key, "access_token=x&expires_at=oops")

        flow = ImplicitFlow(provider, environment=browser)
        errors = []
        flow.on("error", errors.append)

        assert flow.handle_redirect() is None
        assert flow.token is None
        assert [type(e).__name__ for e in errors] == ["MalformedResponseError"]
        assert browser.session.get(key) is None

    def test_a_failing_callback_does_not_break_the_flow(self, flow, browser):
        flow.on("login", lambda token: 1 / 0)
        return_from_provider(browser, flow)

        assert flow.handle_redirect() is not None
        assert isinstance(browser.callback_failures[0], ZeroDivisionError)

    def test_unsubscribe(self, flow, browser):
        seen = []
        unsubscribe = flow.on("login", seen.append)
        unsubscribe()
        return_from_provider(browser, flow)
        flow.handle_redirect()

        assert seen == []

    def test_unknown_event_name_is_a_configuration_error(self, flow):
        with pytest.raises(ConfigurationError):
            flow.on("logged-in", print)


class TestFetch:
    @pytest.fixture
    def signed_in(self, flow, browser):
        return_from_provider(browser, flow)
        flow.handle_redirect()
        return flow

    def test_sends_the_bearer_token_and_returns_json(self, signed_in, browser):
        browser.answer(200, {"accountId": "VfEy1"})

        data = run(signed_in.fetch("/accounts"))

        assert data == {"accountId": "VfEy1"}
        sent = browser.sent[0]
        assert sent["url"] == "https://api.getresponse.com/v3/accounts"
        assert sent["headers"]["Authorization"] == "Bearer tok-123"

    def test_json_body_and_query_parameters(self, signed_in, browser):
        browser.answer(201, {"ok": True})

        run(signed_in.fetch("contacts", method="POST", json={"email": "a@b.c"}, params={"x": "1 2"}))

        sent = browser.sent[0]
        assert sent["url"].endswith("/v3/contacts?x=1%202")
        assert sent["body"] == '{"email": "a@b.c"}'
        assert sent["headers"]["Content-Type"] == "application/json"

    def test_api_base_points_calls_at_a_same_origin_proxy(self, browser, provider):
        flow = ImplicitFlow(provider, api_base="/api/getresponse", environment=browser)
        return_from_provider(browser, flow)
        flow.handle_redirect()
        browser.answer(200, [])

        run(flow.fetch("/from-fields"))

        assert browser.sent[0]["url"] == "/api/getresponse/from-fields"

    def test_max_sends_x_domain(self, browser):
        provider = getresponse_max("c", REDIRECT_URI, domain="acme.getresponse360.com", region="pl")
        flow = ImplicitFlow(provider, environment=browser)
        return_from_provider(browser, flow)
        flow.handle_redirect()
        browser.answer(200, {})

        run(flow.fetch("/accounts"))

        assert browser.sent[0]["headers"]["X-Domain"] == "acme.getresponse360.com"
        assert browser.sent[0]["url"] == "https://api3.getresponse360.pl/v3/accounts"
        assert browser.navigations[0].startswith("https://acme.getresponse360.com/oauth2_authorize.html?")

    @pytest.mark.parametrize("status", [401, 403])
    def test_1014_drops_the_token_fires_expired_and_raises(self, signed_in, browser, status):
        seen = record(signed_in, "expired")
        browser.answer(status, {"httpStatus": status, "code": 1014,
                                "message": "The access token provided is expired",
                                "codeDescription": "", "moreInfo": "",
                                "context": {"sentToken": "tok-123"}, "uuid": ""})

        with pytest.raises(TokenExpiredError) as caught:
            run(signed_in.fetch("/accounts"))

        assert signed_in.token is None and seen == ["expired"]
        assert "tok-123" not in str(caught.value)

    def test_a_server_that_echoes_the_bare_token_does_not_put_it_in_the_error(self, signed_in, browser):
        sent = signed_in.token.access_token
        browser.answer(401, {"httpStatus": 401, "code": 1014, "moreInfo": "see " + sent,
                             "message": "Token " + sent + " is not valid"},
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token" token=' + sent})

        with pytest.raises(TokenExpiredError) as caught:
            run(signed_in.fetch("/accounts"))

        assert sent not in repr(caught.value.__dict__) and sent not in str(caught.value)

    def test_login_on_expiry_starts_a_new_login(self, browser, provider):
        flow = ImplicitFlow(provider, login_on_expiry=True, environment=browser)
        return_from_provider(browser, flow)
        flow.handle_redirect()
        browser.answer(401, {"httpStatus": 401, "code": 1014, "message": "expired"})

        with pytest.raises(TokenExpiredError):
            run(flow.fetch("/accounts"))

        assert len(browser.navigations) == 2

    def test_quota_raises_rate_limited_with_the_reset_time(self, signed_in, browser):
        browser.answer(429, {"httpStatus": 429, "code": 1015, "message": "Quota",
                             "context": {"currentLimit": 30000, "timeToReset": "100 seconds"}})

        with pytest.raises(RateLimitedError) as caught:
            run(signed_in.fetch("/accounts"))

        assert caught.value.reset == "100 seconds" and caught.value.code == 1015

    def test_other_getresponse_errors_are_api_errors_with_their_fields(self, signed_in, browser):
        browser.answer(404, {"httpStatus": 404, "code": 1013, "message": "Resource not found",
                             "moreInfo": "https://apidocs.getresponse.com/v3/errors/1013"})

        with pytest.raises(ApiError) as caught:
            run(signed_in.fetch("/nothing"))

        error = caught.value
        assert (error.http_status, error.code, error.message) == (404, 1013, "Resource not found")
        assert error.more_info.endswith("/1013")
        assert signed_in.token is not None

    def test_an_html_error_page_is_an_api_error(self, signed_in, browser):
        browser.answer(502, text="<html>Bad gateway</html>")

        with pytest.raises(ApiError) as caught:
            run(signed_in.fetch("/accounts"))
        assert caught.value.http_status == 502

    def test_network_failure_mentions_the_proxy(self, signed_in):
        with pytest.raises(NetworkError):
            run(signed_in.fetch("/accounts"))

    def test_fetch_without_a_token_asks_for_login(self, flow):
        with pytest.raises(LoginRequiredError):
            run(flow.fetch("/accounts"))


def test_storage_must_be_a_known_kind(browser, provider):
    with pytest.raises(ConfigurationError):
        ImplicitFlow(provider, storage="cookies", environment=browser)


@pytest.mark.parametrize("domain", ["https://acme.getresponse360.com", "www.acme.com", "acme",
                                    "Acme.getresponse360.com", "acme.com/path", "acme.com:443", ""])
def test_max_domain_must_be_a_bare_host(domain):
    with pytest.raises(ConfigurationError):
        getresponse_max("c", REDIRECT_URI, domain=domain)


def test_max_region_must_be_us_or_pl():
    with pytest.raises(ConfigurationError):
        getresponse_max("c", REDIRECT_URI, domain="acme.getresponse360.com", region="de")


def test_getresponse_urls_can_point_at_a_mock():
    provider = getresponse("c", REDIRECT_URI, authorize_url="http://127.0.0.1:9400/oauth2_authorize.html")

    assert provider.authorization_url("s").startswith("http://127.0.0.1:9400/oauth2_authorize.html?")
