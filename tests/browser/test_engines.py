"""What must hold on every browser engine, and what differs between them, pinned.

Each test runs on Chromium, Firefox and WebKit (see tests/browser/conftest.py) unless its marker
names fewer engines, with a comment saying why.
"""

import json
from pathlib import Path

import pytest
from tests.browser.engine_probes import (
    record_callback_url,
    recorded_callback_url,
    through_webdriver,
    token_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.engines()]

#: Every place a script can read the URLs this document (and this tab) has been at.
READ_URLS = """() => JSON.stringify([
  location.href, document.URL,
  performance.getEntriesByType("navigation").map((entry) => entry.name),
  performance.getEntries().map((entry) => entry.name),
  window.navigation ? navigation.activation.entry.url : null,
  window.navigation ? navigation.entries().map((entry) => entry.url) : null,
])"""

#: What WebKitGTK's navigator.language is under LANG=C or C.UTF-8, set on any engine.
LANGUAGE_C = """for (const name of ["language", "userLanguage"]) {
  Object.defineProperty(Navigator.prototype, name, {get: () => "C", configurable: true});
}
Object.defineProperty(Navigator.prototype, "languages", {get: () => ["C"], configurable: true});"""


# Chromium runs this page through tests/security/test_token_leaks.py.
@pytest.mark.engines("firefox", "webkit")
def test_the_callback_snippet_leaves_the_token_in_no_url_a_script_can_read(
        python_page, page_watch, site, getresponse_mock):
    record_callback_url(python_page)
    python_page.context.add_init_script(
        "window.testConfig = "
        + json.dumps({"authorizeUrl": getresponse_mock.authorize_url, "storage": "session"}))
    url = site.url + "/test/callback.html"
    python_page.goto(url)
    page_watch.wait_for_flag("pythonDone")
    python_page.evaluate("sessionStorage.removeItem('thirdPartySaw')")

    python_page.evaluate("() => { window.startLogin() }")
    python_page.get_by_role("button", name="Allow").click()
    python_page.wait_for_url(url)
    page_watch.wait_for_flag("pythonDone")

    token = token_in(recorded_callback_url(python_page))
    assert python_page.evaluate("window.outcome") == "login"
    assert python_page.evaluate("window.hasToken()")
    assert token not in python_page.evaluate("sessionStorage.getItem('thirdPartySaw')")
    assert token not in python_page.evaluate(READ_URLS)
    assert python_page.evaluate("sessionStorage.getItem('implicitflow.callback')") is None


def test_expiring_then_expired_on_the_engines_own_timers(flow_page, getresponse_mock):
    # Playwright's clock (test_flow_in_browser) replaces the timers; here the engine's run.
    getresponse_mock.set_token_lifetime(12)
    flow_page.configure(margin=3)  # expiring 12 - 5 s skew - 3 s = 4 s after sign-in, expired at 7 s
    flow_page.sign_in()
    assert flow_page.events() == ["login"]

    flow_page.page.wait_for_function("window.events.includes('expiring')", timeout=15000)
    assert flow_page.has_token()
    flow_page.page.wait_for_function("window.events.includes('expired')", timeout=15000)

    assert flow_page.events() == ["login", "expiring", "expired"]
    assert not flow_page.has_token()


@pytest.mark.parametrize("storage", ["session", "local", "memory"])
def test_each_storage_mode_keeps_the_token_where_it_says(flow_page, storage):
    record_callback_url(flow_page.page)
    flow_page.configure(storage=storage)
    flow_page.sign_in()
    token = token_in(recorded_callback_url(flow_page.page))

    in_session = token in flow_page.page.evaluate(  # but for the test's own record
        "JSON.stringify(Object.entries(sessionStorage).filter(([key]) => key !== 'test.callbackUrl'))")
    in_local = token in flow_page.page.evaluate("JSON.stringify(localStorage)")
    assert (in_session, in_local) == (storage == "session", storage == "local")
    flow_page.open()  # the same tab, a new document
    assert flow_page.has_token() is (storage != "memory")


# Chromium runs this page through tests/security/test_mixup.py.
@pytest.mark.engines("firefox", "webkit")
def test_two_providers_on_one_page_each_take_only_their_own_login(
        python_page, page_watch, site, getresponse_mock, getresponse_max_mock):
    config = {"smbAuthorizeUrl": getresponse_mock.authorize_url,
              "smbApiBase": site.url + "/api/getresponse",
              "maxAuthorizeUrl": getresponse_max_mock.authorize_url,
              "maxApiBase": site.url + "/api/getresponse-max"}
    python_page.context.add_init_script(f"window.testConfig = {json.dumps(config)};")
    url = site.url + "/test/two_providers.html"
    python_page.goto(url)
    page_watch.wait_for_flag("pythonDone")

    python_page.evaluate("() => { window.startLogin('max') }")
    python_page.get_by_role("button", name="Allow").click()
    python_page.wait_for_url(url)
    page_watch.wait_for_flag("pythonDone")

    assert python_page.evaluate("window.outcomes") == {"smb": "none", "max": "login"}
    assert python_page.evaluate("window.tokenOf('smb')") is None
    python_page.evaluate("() => { window.callApi('max', '/accounts') }")
    python_page.wait_for_function("window.apiResult !== null")
    assert python_page.evaluate("window.apiResult")["ok"]["accountId"]
    python_page.evaluate("() => { window.callApi('smb', '/accounts') }")
    python_page.wait_for_function("window.apiResult !== null")
    assert python_page.evaluate("window.apiResult") == "LoginRequiredError"


# -- the locale: a browser language that is no language tag ----------------------------------

def test_a_browser_language_that_is_no_language_tag_does_not_stop_python(
        python_page, page_watch, site):
    python_page.context.add_init_script(LANGUAGE_C)
    python_page.goto(site.url + "/test/smoke.html")

    assert page_watch.wait_for_flag("pythonDone") is True
    assert python_page.evaluate("navigator.language") == "C"


@pytest.fixture(scope="session")
def unguarded_page(site_root):
    """smoke.html under the brython.js Brython ships, without build.py's locale guard."""
    import brython

    folder = site_root / "test" / "unguarded"
    folder.mkdir(exist_ok=True)
    (folder / "brython.js").write_bytes((Path(brython.__file__).parent / "data" / "brython.js").read_bytes())
    smoke = (site_root / "test" / "smoke.html").read_text(encoding="utf-8")
    (folder / "smoke.html").write_text(smoke.replace('src="../brython.js"', 'src="brython.js"')
                                       .replace('src="../implicitflow', 'src="../../implicitflow'),
                                       encoding="utf-8")
    return "/test/unguarded/smoke.html"


def test_without_the_guard_brython_js_dies_at_load_on_such_a_language(page, page_watch, site,
                                                                       unguarded_page):
    page.context.add_init_script(LANGUAGE_C)
    page.goto(site.url + unguarded_page)

    # RangeError: "Invalid language tag: C" (V8), 'invalid language tag: "C"' (SpiderMonkey),
    # "invalid language tag: C" (JavaScriptCore); the package then finds no Brython to load into.
    with pytest.raises(AssertionError, match='(?i)invalid language tag: "?C'):
        page_watch.wait_for_flag("pythonDone", timeout=10000)


# -- behaviour that differs between the engines -------------------------------------------

def test_a_popup_started_outside_a_click(flow_page, browser_name):
    """WebKit (through WebKitWebDriver) blocks a window opened by a script outside a user
    gesture, as Safari does: popup sign-in then fails with PopupBlockedError. Playwright's
    Chromium and Firefox let any script open one (their popup blockers are off under
    Playwright), so there the popup opens."""
    flow_page.open()

    flow_page.page.evaluate("() => { window.startPopupLogin() }")

    if through_webdriver(browser_name):
        flow_page.page.wait_for_function("window.popupOutcome !== null", timeout=10000)
        outcome = flow_page.page.evaluate("window.popupOutcome")
        assert (outcome["name"], outcome["kind"]) == ("PopupBlockedError", "popup_blocked")
        assert len(flow_page.page.context.pages) == 1
    else:
        flow_page.page.wait_for_timeout(1000)
        assert len(flow_page.page.context.pages) == 2
        assert flow_page.page.evaluate("window.popupOutcome") is None


@pytest.mark.engines("chromium", "firefox")  # WebDriver shows no browser-made console reports
def test_a_cross_origin_fetch_the_browser_refused_is_no_page_error(flow_page, browser_name):
    """Firefox, driven over WebDriver BiDi, reports a fetch the same-origin policy refused as a
    page error ("Cross-Origin Request Blocked"), Chromium as a console message: PageWatch (and so
    `python_page`) fails a test on neither, since the page's code threw nothing."""
    seen = []
    flow_page.page.on("pageerror", lambda error: seen.append(error.name))
    flow_page.open()

    flow_page.page.evaluate(
        "url => fetch(url).then(() => 'read', (error) => error.name)", flow_page.mock.api_base)
    flow_page.page.wait_for_timeout(300)

    assert set(seen) == ({"Cross-Origin Request Blocked"} if browser_name == "firefox" else set())
    flow_page.watch.check()
