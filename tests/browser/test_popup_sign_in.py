"""Popup sign-in in Chromium: the page that starts it stays, with its in-memory state, and
every way a popup goes wrong ends in a typed error instead of a promise that never settles."""

import ast
import os
from pathlib import Path

import pytest
from tests.unit.fake_browser import derive_names

pytestmark = pytest.mark.browser

BROWSER_ENVIRONMENT = Path(__file__).parents[2] / "pysrc" / "implicitflow" / "browser_environment.py"


def wait_for_popup_outcome(flow_page, timeout=15000):
    flow_page.page.wait_for_function("window.popupOutcome !== null", timeout=timeout)
    flow_page.watch.check()
    return flow_page.page.evaluate("window.popupOutcome")


def open_popup(flow_page, call="window.startPopupLogin()"):
    """Start a popup sign-in; return the popup's page once it shows the consent page."""
    with flow_page.page.context.expect_page() as opened:
        flow_page.page.evaluate(call)
    popup = opened.value
    # It opens empty, then goes there (and a short timeout may close it before it loads).
    popup.wait_for_url(flow_page.mock.authorize_url + "*", wait_until="commit")
    return popup


@pytest.mark.engines()
def test_signing_in_in_a_popup_keeps_the_page_and_its_state(flow_page):
    flow_page.open()
    flow_page.page.evaluate("window.unsavedForm = 'half-written text'")
    popup = open_popup(flow_page)
    assert popup.url.startswith(flow_page.mock.authorize_url)

    popup.get_by_role("button", name="Allow").click()

    assert wait_for_popup_outcome(flow_page) == "login /after-popup"
    assert flow_page.page.evaluate("window.unsavedForm") == "half-written text"
    assert flow_page.page.url == flow_page.url
    assert flow_page.has_token() and flow_page.call_api("/accounts")["ok"]["accountId"] == "VfEy1"
    flow_page.page.wait_for_timeout(300)
    assert popup.is_closed()  # the callback page closed itself
    assert flow_page.events() == ["login"]


def test_deny_in_the_popup_is_authorization_denied(flow_page):
    flow_page.open()
    popup = open_popup(flow_page)

    popup.get_by_role("button", name="Deny").click()

    outcome = wait_for_popup_outcome(flow_page)
    assert outcome["name"] == "AuthorizationDeniedError" and outcome["error"] == "access_denied"
    assert not flow_page.has_token()


@pytest.mark.engines()
def test_closing_the_popup_is_popup_closed(flow_page):
    flow_page.open()
    popup = open_popup(flow_page)

    popup.close()

    outcome = wait_for_popup_outcome(flow_page)
    assert (outcome["name"], outcome["kind"]) == ("PopupClosedError", "popup_closed")
    assert flow_page.events() == ["error"]


@pytest.mark.engines()
def test_a_blocked_popup_is_popup_blocked_and_says_to_use_a_click(flow_page):
    flow_page.page.add_init_script("window.open = () => null;")  # what a popup blocker does
    flow_page.open()

    flow_page.page.evaluate("() => { window.startPopupLogin() }")

    outcome = wait_for_popup_outcome(flow_page)
    assert (outcome["name"], outcome["kind"]) == ("PopupBlockedError", "popup_blocked")
    assert "click" in outcome["message"]
    assert flow_page.page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('implicitflow.pending.'))") == []


def test_no_answer_in_time_is_a_timeout_and_closes_the_popup(flow_page):
    flow_page.open()
    with flow_page.page.context.expect_page() as opened:
        flow_page.page.evaluate("() => { window.startPopupLogin(1) }")
    popup = opened.value

    outcome = wait_for_popup_outcome(flow_page)
    assert (outcome["name"], outcome["kind"]) == ("PopupTimeoutError", "popup_timeout")
    # Left open, the popup could still sign in after the opener gave up on it.
    flow_page.page.wait_for_timeout(300)
    assert popup.is_closed()


@pytest.mark.parametrize("timeout", ["Infinity", "3e6"])
def test_a_timeout_no_timer_can_wait_is_a_configuration_error_and_opens_nothing(flow_page,
                                                                                timeout):
    flow_page.open()

    flow_page.page.evaluate(f"window.startPopupLogin({timeout})")

    outcome = wait_for_popup_outcome(flow_page)
    assert (outcome["name"], outcome["kind"]) == ("ConfigurationError", "configuration_error")
    assert len(flow_page.page.context.pages) == 1
    assert flow_page.page.evaluate("Object.keys(sessionStorage).length") == 0


def test_forged_answers_from_another_origin_or_for_another_state_are_ignored(flow_page):
    flow_page.open()
    popup = open_popup(flow_page)
    state = popup.url.split("state=")[1].split("&")[0]
    forged = "implicitflow.popup-answer #access_token=forged&token_type=bearer&state="
    # The provider's page is another origin: its postMessage to the opener must not count.
    popup.evaluate("m => window.opener.postMessage(m, '*')", forged + state)
    # A window of this origin answering, on this login's channel, for another state.
    flow_page.page.evaluate("([name, m]) => new BroadcastChannel(name).postMessage(m)",
                            ["implicitflow.popup." + derive_names(state)[64:], forged + "e" * 64])
    flow_page.page.wait_for_timeout(500)
    assert flow_page.page.evaluate("window.popupOutcome") is None

    popup.get_by_role("button", name="Allow").click()

    assert wait_for_popup_outcome(flow_page) == "login /after-popup"
    assert flow_page.page.evaluate("window.tokenExpiresAt()") is not None
    token = flow_page.page.evaluate("Object.entries(sessionStorage).find(([k]) => "
                                    "k.startsWith('implicitflow.token.'))[1]")
    assert "forged" not in token


def test_two_popup_sign_ins_in_a_row(flow_page):
    flow_page.open()
    open_popup(flow_page).get_by_role("button", name="Allow").click()
    assert wait_for_popup_outcome(flow_page) == "login /after-popup"
    first = flow_page.page.evaluate("window.tokenExpiresAt()")
    flow_page.page.evaluate("() => { window.logout() }")

    open_popup(flow_page).get_by_role("button", name="Allow").click()

    assert wait_for_popup_outcome(flow_page) == "login /after-popup"
    assert flow_page.page.evaluate("window.tokenExpiresAt()") >= first
    assert flow_page.events() == ["login", "logout", "login"]


# Not on WebKitWebDriver: the COOP header is added by routing, which WebDriver cannot do.
@pytest.mark.engines("chromium", "firefox")
def test_it_works_when_the_app_sends_cross_origin_opener_policy(flow_page):
    def with_coop(route):
        response = route.fetch()
        route.fulfill(response=response,
                      headers={**response.headers, "cross-origin-opener-policy": "same-origin"})

    flow_page.page.context.route(flow_page.url + "*", with_coop)
    flow_page.open()
    popup = open_popup(flow_page)
    assert popup.evaluate("window.opener") is None  # COOP cut the popup off its opener
    flow_page.page.wait_for_timeout(800)  # and to the opener, the popup reads as closed
    assert flow_page.page.evaluate("window.popupOutcome") is None

    popup.get_by_role("button", name="Allow").click()

    assert wait_for_popup_outcome(flow_page) == "login /after-popup"
    assert flow_page.has_token()


@pytest.mark.engines()
def test_from_javascript_login_popup_resolves_like_handle_redirect(flow_page):
    flow_page.url = flow_page.site.url + "/test/plain.html"
    flow_page.open()
    # void: evaluate() would otherwise wait for the Promise, which waits for the click below.
    start = ("window.popupOutcome = null; void flow.loginPopup({returnTo: '/inbox'})"
             ".then((data) => { window.popupOutcome = data; },"
             " (error) => { window.popupOutcome = {rejected: error}; })")

    open_popup(flow_page, start).get_by_role("button", name="Allow").click()

    outcome = wait_for_popup_outcome(flow_page)
    assert outcome["returnTo"] == "/inbox" and outcome["tokenType"] == "bearer"
    assert flow_page.page.evaluate("flow.token().accessToken") == outcome["accessToken"]
    assert flow_page.page.url == flow_page.url


def test_two_popup_sign_ins_at_once_each_have_and_close_only_their_own_popup(flow_page):
    flow_page.url = flow_page.site.url + "/test/plain.html"
    flow_page.open()
    start = ("([name, timeout]) => { window.outcomes = window.outcomes || {};"
             " void flow.loginPopup({returnTo: '/' + name, timeout}).then("
             "(data) => { outcomes[name] = data.returnTo; },"
             " (error) => { outcomes[name] = error.kind; }); }")
    with flow_page.page.context.expect_page(timeout=5000) as opened:
        flow_page.page.evaluate(start, ["first", 2])
    first = opened.value
    with flow_page.page.context.expect_page(timeout=5000) as opened:
        flow_page.page.evaluate(start, ["second", 600])
    second = opened.value

    flow_page.page.wait_for_function("window.outcomes.first", timeout=10000)
    assert flow_page.page.evaluate("window.outcomes.first") == "popup_timeout"
    assert first.is_closed() and not second.is_closed()
    second.get_by_role("button", name="Allow").click()

    flow_page.page.wait_for_function("window.outcomes.second", timeout=10000)
    assert flow_page.page.evaluate("window.outcomes.second") == "/second"
    flow_page.watch.check()


def test_the_names_of_marks_and_channels_are_a_chacha20_block_keyed_by_the_state(page):
    module = ast.parse(BROWSER_ENVIRONMENT.read_text(encoding="utf-8"))
    source = next(ast.literal_eval(node.value) for node in module.body
                  if isinstance(node, ast.Assign) and node.targets[0].id == "_DERIVE_NAMES_SOURCE")
    states = [os.urandom(32).hex() for _ in range(200)] + ["0" * 64, "f" * 64]

    names = page.evaluate("([source, states]) => states.map(new Function('state', source))",
                          [source, states])

    assert names == [derive_names(state) for state in states]
