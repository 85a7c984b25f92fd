"""Attacks on popup sign-in in Chromium: a popup the opener gave up on (under
Cross-Origin-Opener-Policy the opener cannot close it, so the user may still consent in it:
nobody may store that token), and other documents of the origin listening in."""

import pytest

from tests.unit.fake_browser import derive_names

pytestmark = pytest.mark.browser


def serve_coop(flow_page, on_head):
    """The app's pages with `Cross-Origin-Opener-Policy: same-origin`; with `on_head=False`
    only their GET has it, so the opener's HEAD request misreads the popup as closed."""
    def with_coop(route):
        response = route.fetch()
        headers = dict(response.headers)
        if on_head or route.request.method != "HEAD":
            headers["cross-origin-opener-policy"] = "same-origin"
        route.fulfill(response=response, headers=headers)

    flow_page.page.context.route(flow_page.url + "*", with_coop)


@pytest.mark.parametrize("gives_up, error", [("timeout", "PopupTimeoutError"),
                                             ("false 'closed'", "PopupClosedError")])
def test_consent_in_a_popup_the_opener_gave_up_on_stores_no_token(flow_page, security_report,
                                                                   gives_up, error):
    serve_coop(flow_page, on_head=gives_up == "timeout")
    flow_page.open()
    with flow_page.page.context.expect_page() as opened:
        # A 2 s timeout to give up by; 10 s where the popup must read as closed first (its HEAD
        # request and polls, slower on a loaded machine, must not lose the race to the timer).
        flow_page.page.evaluate(f"window.startPopupLogin({2 if gives_up == 'timeout' else 10})")
    popup = opened.value
    popup.wait_for_url(flow_page.mock.authorize_url + "*")
    flow_page.page.wait_for_function("window.popupOutcome !== null", timeout=15000)
    assert flow_page.page.evaluate("window.popupOutcome.name") == error
    assert not popup.is_closed()  # COOP put it out of the opener's reach

    popup.get_by_role("button", name="Allow").click()

    popup.wait_for_url(flow_page.url + "*")
    popup.wait_for_function("window.pythonDone === true")
    outcome = popup.evaluate("window.outcome")
    assert isinstance(outcome, dict), f"the popup signed in by itself: {outcome}"
    # "unknown": the popup was opened before the login existed, so it never held a copy.
    assert (outcome["name"], outcome["reason"]) == ("StateMismatchError", "unknown")
    for page in (popup, flow_page.page):
        assert not page.evaluate("window.hasToken()")
        assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith("
                             "'implicitflow.token.'))") == []
    flow_page.watch.check()
    security_report[f"popup abandoned by the opener ({gives_up}), consent given afterwards"] = (
        "token stored by nobody")


def test_a_popup_holding_a_copy_of_its_login_refuses_it_and_closes_itself(flow_page,
                                                                          security_report):
    """As if the browser copied the opener's sessionStorage after the login was stored."""
    flow_page.page.context.add_init_script(
        "const copy = localStorage.getItem('test.copy');"
        " if (copy && location.hash) { sessionStorage.setItem(...JSON.parse(copy)); }")
    serve_coop(flow_page, on_head=True)
    flow_page.open()
    with flow_page.page.context.expect_page() as opened:
        flow_page.page.evaluate("() => { window.startPopupLogin(2) }")
    popup = opened.value
    popup.wait_for_url(flow_page.mock.authorize_url + "*")
    flow_page.page.evaluate("localStorage.setItem('test.copy', JSON.stringify(Object.entries("
                            "sessionStorage).find(([k]) => k.startsWith('implicitflow.pending.'))))")
    flow_page.page.wait_for_function("window.popupOutcome !== null", timeout=15000)
    assert not popup.is_closed()

    with popup.expect_event("close", timeout=10000):
        popup.get_by_role("button", name="Allow").click()

    assert not flow_page.has_token()
    flow_page.watch.check()
    security_report["popup holding a copy of its abandoned login, consent given"] = (
        "refused, window closed, token stored by nobody")


#: A document of the app's origin that knows no state: it notes every key of localStorage
#: set while it watches, and listens on the channel every popup used to answer on and on
#: every name it can make of those keys.
SPY = """
window.heard = []; window.keysSeen = []; window.channelsTried = 0;
const listen = (name) => {
  window.channelsTried += 1;
  new BroadcastChannel(name).onmessage = (event) => { window.heard.push(String(event.data)); };
};
listen("implicitflow.popup");
addEventListener("storage", (event) => {
  if (!event.key || keysSeen.includes(event.key)) { return; }
  keysSeen.push(event.key);
  listen(event.key);
  listen(event.key.split(".").pop());
});
"""


def test_other_documents_of_the_origin_neither_hear_the_answer_nor_read_the_state(
        flow_page, security_report):
    flow_page.open()
    spy = flow_page.page.context.new_page()
    spy.goto(flow_page.site.url + "/test/landing.html")
    spy.evaluate(SPY)
    with flow_page.page.context.expect_page() as opened:
        flow_page.page.evaluate("() => { window.startPopupLogin() }")
    popup = opened.value
    popup.wait_for_url(flow_page.mock.authorize_url + "*")
    state = popup.url.split("state=")[1].split("&")[0]

    popup.get_by_role("button", name="Allow").click()

    flow_page.page.wait_for_function("window.popupOutcome !== null", timeout=15000)
    assert flow_page.page.evaluate("window.popupOutcome") == "login /after-popup"
    spy.wait_for_timeout(300)
    keys, heard, tried = spy.evaluate("[window.keysSeen, window.heard, window.channelsTried]")
    assert heard == []
    assert [key for key in keys if state in key] == []
    assert f"implicitflow.popup.{derive_names(state)[:64]}" in keys  # it saw the mark come
    flow_page.watch.check()
    security_report["same-origin tab spying on a popup sign-in"] = (
        f"{len(keys)} storage keys seen, none holding the state; {tried} channels tried, "
        f"{len(heard)} answers heard")
