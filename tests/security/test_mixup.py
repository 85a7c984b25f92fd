"""Mix-up between providers and clients (RFC 9700 4.4): a login belongs to the provider that
started it, and a token to its provider, client and MAX domain."""

import json
from urllib.parse import urlencode

import pytest

from implicitflow import (
    ImplicitFlow,
    IssuerMismatchError,
    LoginRequiredError,
    Provider,
    getresponse,
    getresponse_max,
)
from tests.unit.conftest import REDIRECT_URI, state_of
from tests.unit.fake_browser import FakeBrowser
from tests.unit.test_flow import run

OTHER_AUTHORIZE_URL = "https://login.other.example/authorize"


@pytest.fixture
def tab():
    """A stand-in page (not Chromium's `browser` fixture, which this module also uses)."""
    return FakeBrowser()


def two_flows(tab, second=None):
    """GetResponse and a second provider with the same client id, on one page."""
    first = ImplicitFlow(getresponse("demo-client", REDIRECT_URI), environment=tab)
    other = second or Provider(OTHER_AUTHORIZE_URL, "https://api.other.example", "demo-client",
                               REDIRECT_URI)
    return first, ImplicitFlow(other, environment=tab)


def answer(tab, state, token="tok-123", **extra):
    fields = {"access_token": token, "token_type": "bearer", "expires_in": "3600", "state": state}
    tab.arrive(REDIRECT_URI + "#" + urlencode({**fields, **extra}))


def test_an_answer_to_a_login_with_one_provider_is_left_for_that_providers_flow(tab):
    first, second = two_flows(tab)
    second.login()
    answer(tab, state_of(tab.navigations[-1]))

    assert first.handle_redirect() is None
    result = second.handle_redirect()

    assert result is not None and second.token.access_token == "tok-123"
    assert first.token is None
    assert "#" not in tab.url


def test_a_provider_that_saw_a_state_cannot_sign_the_user_in_elsewhere(tab):
    first, second = two_flows(tab)
    first.login()  # a login with GetResponse; the other provider answers it with its token
    answer(tab, state_of(tab.navigations[-1]), token="attackers-token")

    assert second.handle_redirect() is None
    assert second.token is None
    assert first.handle_redirect() is not None  # the login was GetResponse's: only it may take it


def test_another_providers_pending_login_survives_a_foreign_answer(tab):
    first, second = two_flows(tab)
    second.login()
    state = state_of(tab.navigations[-1])
    answer(tab, state)

    first.handle_redirect()
    tab.arrive(REDIRECT_URI)  # the page is reloaded before the second flow ran
    answer(tab, state)

    assert second.handle_redirect() is not None


def test_getresponse_and_max_with_one_client_id_keep_separate_tokens(tab):
    max_provider = getresponse_max("demo-client", REDIRECT_URI, domain="acme.getresponse360.com")
    smb, max_flow = two_flows(tab, max_provider)
    smb.login()
    answer(tab, state_of(tab.navigations[-1]))
    smb.handle_redirect()

    again = ImplicitFlow(max_provider, environment=tab)  # the next page load

    assert smb.token is not None and again.token is None
    with pytest.raises(LoginRequiredError):
        run(again.fetch("/accounts"))
    assert tab.sent == []


def test_a_max_token_is_not_used_for_another_max_domain(tab):
    acme = getresponse_max("demo-client", REDIRECT_URI, domain="acme.getresponse360.com",
                           authorize_url="https://sso.example/authorize")
    other = getresponse_max("demo-client", REDIRECT_URI, domain="other.getresponse360.com",
                            authorize_url="https://sso.example/authorize")
    acme_flow = ImplicitFlow(acme, environment=tab)
    acme_flow.login()
    answer(tab, state_of(tab.navigations[-1]))
    acme_flow.handle_redirect()

    assert ImplicitFlow(other, environment=tab).token is None


@pytest.mark.parametrize("iss, accepted", [("https://issuer.example", True),
                                           ("https://evil.example", False), (None, False)])
def test_a_declared_issuer_must_match_the_answers_iss(tab, iss, accepted):
    provider = Provider(OTHER_AUTHORIZE_URL, None, "demo-client", REDIRECT_URI,
                        issuer="https://issuer.example")
    flow = ImplicitFlow(provider, environment=tab)
    flow.login()
    answer(tab, state_of(tab.navigations[-1]), **({"iss": iss} if iss else {}))

    if accepted:
        assert flow.handle_redirect() is not None
    else:
        with pytest.raises(IssuerMismatchError):
            flow.handle_redirect()
        assert flow.token is None


# -- in Chromium, with the mock GetResponse and the mock MAX -------------------------------

@pytest.fixture
def two_provider_page(python_page, page_watch, site, getresponse_mock, getresponse_max_mock):
    config = {"smbAuthorizeUrl": getresponse_mock.authorize_url,
              "smbApiBase": site.url + "/api/getresponse",
              "maxAuthorizeUrl": getresponse_max_mock.authorize_url,
              "maxApiBase": site.url + "/api/getresponse-max"}
    python_page.context.add_init_script(f"window.testConfig = {json.dumps(config)};")
    url = site.url + "/test/two_providers.html"
    python_page.goto(url)
    page_watch.wait_for_flag("pythonDone")
    return python_page, page_watch, url


@pytest.mark.browser
def test_signing_in_to_max_on_a_page_that_also_has_getresponse(two_provider_page, security_report):
    page, watch, url = two_provider_page
    page.evaluate("() => { window.startLogin('max') }")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(url)
    watch.wait_for_flag("pythonDone")

    assert page.evaluate("window.outcomes") == {"smb": "none", "max": "login"}
    assert page.evaluate("window.tokenOf('smb')") is None
    page.evaluate("() => { window.callApi('max', '/accounts') }")
    page.wait_for_function("window.apiResult !== null")
    assert page.evaluate("window.apiResult")["ok"]["accountId"]
    page.evaluate("() => { window.callApi('smb', '/accounts') }")
    page.wait_for_function("window.apiResult !== null")
    assert page.evaluate("window.apiResult") == "LoginRequiredError"
    security_report["mix-up: GetResponse and MAX (one client id) on one page"] = (
        "each flow took only its own login; no token shared")
