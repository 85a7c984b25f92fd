"""Attacks on the toolkit in Chromium: state, tabs, tampering, leaks, open redirects, XSS."""

import pytest

from implicitflow import getresponse
from implicitflow.token import TOKEN_PREFIX

pytestmark = pytest.mark.browser

XSS_PAYLOADS = [
    "<script>window.pwned=1</script>",
    '"><img src=x onerror="window.pwned=1">',
    "javascript:window.pwned=1",
    "<svg/onload=window.pwned=1>",
    "\u202e<img src=x onerror=window.pwned=1>",
    "＜script＞window.pwned=1＜/script＞",
    "'-alert(1)-'",
]


def test_ten_thousand_states_from_the_browser_are_unique_and_256_bit(page, page_watch, site,
                                                                    security_report):
    page.goto(site.url + "/test/parse.html")
    page_watch.wait_for_flag("pythonDone")

    states = page.evaluate("window.makeStates(10000)")

    assert len(set(states)) == 10000
    assert all(len(s) == 64 and set(s) <= set("0123456789abcdef") for s in states)
    security_report["states generated in Chromium"] = "10000, 0 repeats, 256 bits each"


def test_a_login_started_in_another_tab_does_not_validate_here(flow_page):
    flow_page.open()
    flow_page.start_login()
    flow_page.page.wait_for_url(flow_page.mock.authorize_url + "*")
    state = flow_page.page.url.split("state=")[1].split("&")[0]
    flow_page.move_to_new_tab()

    outcome = flow_page.open(f"{flow_page.url}#access_token=t&token_type=bearer&state={state}")

    assert outcome["name"] == "StateMismatchError" and outcome["reason"] == "unknown"


@pytest.mark.parametrize("record", ["garbage", "state=%ZZ&created_at=1", "created_at=1e400"])
def test_a_tampered_pending_login_is_refused_cleanly(flow_page, record):
    flow_page.open()
    flow_page.page.evaluate("() => { window.startLogin() }")
    flow_page.page.wait_for_url(flow_page.mock.authorize_url + "*")
    state = flow_page.page.url.split("state=")[1].split("&")[0]
    flow_page.open()  # back on the app's origin, whose sessionStorage holds the record
    flow_page.page.evaluate("([k, v]) => sessionStorage.setItem(k, v)",
                            [f"implicitflow.pending.{state}", record])

    outcome = flow_page.open(f"{flow_page.url}#access_token=t&token_type=bearer&state={state}")

    assert outcome["name"] == "StateMismatchError" and outcome["reason"] == "corrupt"
    assert not flow_page.has_token()
    assert flow_page.page.evaluate("Object.keys(sessionStorage)").count(
        f"implicitflow.pending.{state}") == 0


def token_key(flow_page):
    """Where flow.html's flow keeps its token: keyed by provider and client."""
    provider = getresponse("demo-client", flow_page.url, authorize_url=flow_page.mock.authorize_url)
    return TOKEN_PREFIX + provider.token_key


@pytest.mark.parametrize("record", ["garbage", "access_token=x&token_type=bearer&expires_at=nan",
                                    "access_token=&token_type=bearer&expires_at=9e12",
                                    "access_token=%F4%90%80%80&token_type=bearer&expires_at=9e12"])
def test_a_tampered_stored_token_is_dropped_with_an_error_event(flow_page, record):
    flow_page.open()
    flow_page.page.evaluate("([k, r]) => sessionStorage.setItem(k, r)", [token_key(flow_page), record])

    flow_page.open()

    assert not flow_page.has_token()
    assert flow_page.events() == ["error"]
    assert flow_page.page.evaluate("k => sessionStorage.getItem(k)", token_key(flow_page)) is None


@pytest.mark.parametrize("return_to", ["https://evil.example", "//evil.example", "/\\evil.example",
                                       "javascript:alert(1)", "/\t/evil.example"])
def test_open_redirects_are_refused(flow_page, return_to):
    flow_page.open()

    assert flow_page.page.evaluate("rt => window.tryLogin(rt)", return_to) == "UnsafeReturnToError"
    assert flow_page.page.url == flow_page.url


def test_the_token_leaks_nowhere(flow_page, getresponse_mock, security_report):
    requests = []
    flow_page.page.on("request", lambda request: requests.append(request))
    flow_page.sign_in()
    token = flow_page.redirects[-1].split("access_token=")[1].split("&")[0]
    assert flow_page.call_api("/accounts")["ok"]["accountId"] == "VfEy1"
    flow_page.page.goto(flow_page.site.url + "/test/landing.html")  # the next navigation

    places = {
        "location.href": flow_page.page.url,
        "localStorage": flow_page.page.evaluate("JSON.stringify(localStorage)"),
        "console": "\n".join(flow_page.watch.console),
        "mock server request log": repr(getresponse_mock.requests()),
        "Referer headers": repr([r.headers.get("referer") for r in requests]),
    }
    # every history entry, walking back from the landing page
    entries = []
    while True:
        entries.append(flow_page.page.url)
        if flow_page.page.go_back() is None:
            break
    places["history entries"] = repr(entries)

    leaked = [where for where, text in places.items() if token in text]
    security_report["places checked for a leaked token"] = f"{len(places)}, leaked in {len(leaked)}"
    assert leaked == []
    assert len(entries) >= 3


@pytest.mark.parametrize("field", ["state", "access_token", "error", "error_description",
                                   "token_type", "expires_in"])
def test_xss_payloads_in_fragment_fields_never_run(python_page, page_watch, demo, getresponse_mock,
                                                   field, security_report):
    from urllib.parse import urlencode

    dialogs = []
    python_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for payload in XSS_PAYLOADS:
        python_page.goto(demo.url + "/")
        page_watch.wait_for_flag("demoReady")
        python_page.evaluate("sessionStorage.clear()")
        python_page.reload()
        page_watch.wait_for_flag("demoReady")
        python_page.get_by_role("button", name="Sign in with GetResponse").click()
        python_page.wait_for_url(getresponse_mock.authorize_url + "*")
        state = python_page.url.split("state=")[1].split("&")[0]
        fields = {"access_token": "tok", "token_type": "bearer", "expires_in": "3600", "state": state}
        if field.startswith("error"):
            fields = {"error": "access_denied", "state": state}
        fields[field] = payload
        python_page.goto(demo.url + "/#" + urlencode(fields))
        page_watch.wait_for_flag("demoReady")

        assert python_page.evaluate("window.pwned") is None, (field, payload)
        assert python_page.evaluate(
            "document.querySelectorAll('main script, main img, main svg, main iframe').length") == 0
    assert dialogs == []
    security_report["XSS payloads tried (payload x field)"] = (
        security_report.get("XSS payloads tried (payload x field)", 0) + len(XSS_PAYLOADS))
