"""Engine-neutral ways for a test to see what a page saw, with no network events (which
WebKitWebDriver lacks): init scripts that record into the page's sessionStorage."""

from implicitflow_testing.harness._browsers import playwright_webkit_installed


def through_webdriver(browser_name):
    """Whether WebKit runs here through WebKitWebDriver rather than Playwright."""
    return browser_name == "webkit" and not playwright_webkit_installed()


#: Records the first callback URL (the provider's answer in the fragment) a page of this tab
#: was opened at, before any of the page's own scripts run.
RECORD_CALLBACK_URL = """if (/(^|[#&])access_token=/.test(location.hash)
    && !sessionStorage.getItem("test.callbackUrl")) {
  sessionStorage.setItem("test.callbackUrl", location.href);
}"""


def record_callback_url(page):
    page.context.add_init_script(RECORD_CALLBACK_URL)


def recorded_callback_url(page):
    url = page.evaluate("sessionStorage.getItem('test.callbackUrl')")
    assert url and "access_token=" in url, f"no callback URL was recorded: {url!r}"
    return url


def token_in(callback_url):
    return callback_url.split("access_token=")[1].split("&")[0]
