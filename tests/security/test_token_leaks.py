"""After the callback, no script on the page can read the token from a URL: the documented
callback ends in a fresh document, so the performance timeline and the Navigation API,
which keep a document's first URL for its whole life, never hold the fragment."""

import json

import pytest

pytestmark = pytest.mark.browser

#: Every place a script can read the URLs this document (and this tab) has been at.
READ_URLS = """() => JSON.stringify([
  location.href, document.URL,
  performance.getEntriesByType("navigation").map((entry) => entry.name),
  performance.getEntries().map((entry) => entry.name),
  window.navigation ? navigation.activation.entry.url : null,
  window.navigation ? navigation.entries().map((entry) => entry.url) : null,
  history.length,
])"""


def token_of(redirects):
    return redirects[-1].split("access_token=")[1].split("&")[0]


@pytest.mark.parametrize("storage", ["session", "memory"])
def test_a_third_party_script_on_the_callback_page_never_sees_the_token(
        python_page, page_watch, site, getresponse_mock, security_report, storage):
    redirects = []
    python_page.on("response", lambda response: redirects.append(response.headers.get("location"))
                   if response.url.startswith(getresponse_mock.authorize_url) else None)
    python_page.context.add_init_script(
        "window.testConfig = "
        + json.dumps({"authorizeUrl": getresponse_mock.authorize_url, "storage": storage}))
    url = site.url + "/test/callback.html"
    python_page.goto(url)
    page_watch.wait_for_flag("pythonDone")
    python_page.evaluate("sessionStorage.removeItem('thirdPartySaw')")

    python_page.evaluate("() => { window.startLogin() }")
    python_page.get_by_role("button", name="Allow").click()
    python_page.wait_for_url(url)
    page_watch.wait_for_flag("pythonDone")

    token = token_of([r for r in redirects if r])
    assert python_page.evaluate("window.outcome") == "login"
    assert python_page.evaluate("window.hasToken()")
    seen_by_script = python_page.evaluate("sessionStorage.getItem('thirdPartySaw')")
    readable_now = python_page.evaluate(READ_URLS)
    assert token not in seen_by_script
    assert token not in readable_now
    assert python_page.evaluate("sessionStorage.getItem('implicitflow.callback')") is None
    security_report["callback page: third-party script and timeline saw the token"] = "no"


@pytest.mark.parametrize("path", ["/", "/plain.html"])
def test_the_demo_leaves_no_token_in_the_timeline_or_navigation_history(
        python_page, page_watch, demo, getresponse_mock, path):
    redirects = []
    python_page.on("response", lambda response: redirects.append(response.headers.get("location"))
                   if response.url.startswith(getresponse_mock.authorize_url) else None)
    python_page.goto(demo.url + path)
    page_watch.wait_for_flag("demoReady")

    python_page.get_by_role("button", name="Sign in with GetResponse").click()
    python_page.get_by_role("button", name="Allow").click()
    python_page.wait_for_url(demo.url + path)
    page_watch.wait_for_flag("demoReady")
    python_page.wait_for_function("document.getElementById('account-email').textContent !== ''")

    assert token_of([r for r in redirects if r]) not in python_page.evaluate(READ_URLS)
