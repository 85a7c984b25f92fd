"""A person walks the demo: sign in, Allow, see the account, sign out; and Deny. Both pages."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PAGES = {"brython": "/", "javascript": "/plain.html"}


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


#: What a signed-out page offers, once each.
SIGN_IN_BUTTONS = ["Sign in with GetResponse", "Sign in (popup)"]


def visible_sign_in_buttons(page):
    buttons = page.get_by_role("button", name=re.compile("sign in", re.IGNORECASE))
    return [button.inner_text() for button in buttons.all() if button.is_visible()]


def open_demo(page, watch, demo, path):
    page.goto(demo.url + path)
    watch.wait_for_flag("demoReady")


@pytest.mark.parametrize("kind", PAGES)
def test_sign_in_see_the_account_and_sign_out(python_page, page_watch, demo, getresponse_mock, kind):
    page = python_page
    open_demo(page, page_watch, demo, PAGES[kind])
    screenshot(page, f"{kind}-1-signed-out")

    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.wait_for_url(getresponse_mock.authorize_url + "*")
    screenshot(page, f"{kind}-2-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(demo.url + PAGES[kind])
    page_watch.wait_for_flag("demoReady")
    page.wait_for_function("document.getElementById('from-fields').children.length > 0")

    assert page.locator("#account-name").inner_text() == "Ada Lovelace"
    assert page.locator("#account-email").inner_text() == "ada.lovelace@example.com"
    assert "Ada Lovelace <ada.lovelace@example.com>" in page.locator("#from-fields").inner_text()
    assert "min" in page.locator("#countdown").inner_text()
    assert "#" not in page.url
    screenshot(page, f"{kind}-3-signed-in")

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("button", name="Sign in with GetResponse").is_visible()


@pytest.mark.parametrize("kind", PAGES)
def test_deny_shows_a_readable_message(python_page, page_watch, demo, getresponse_mock, kind):
    page = python_page
    open_demo(page, page_watch, demo, PAGES[kind])
    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(demo.url + PAGES[kind])
    page_watch.wait_for_flag("demoReady")

    assert page.locator("#banner-text").inner_text() == (
        "Sign-in was cancelled: GetResponse access was not granted.")
    assert visible_sign_in_buttons(page) == SIGN_IN_BUTTONS
    screenshot(page, f"{kind}-4-denied")


def test_expiry_banners_with_a_short_lived_token(python_page, page_watch, demo, getresponse_mock):
    page = python_page
    getresponse_mock.set_token_lifetime(90)
    page.clock.install()
    open_demo(page, page_watch, demo, "/")
    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(demo.url + "/")
    page_watch.wait_for_flag("demoReady")

    page.clock.run_for(30_000)  # 90 s - 5 s skew - 60 s margin = 25 s
    assert page.locator("#banner-text").inner_text() == "Your session expires in about a minute."
    screenshot(page, "brython-5-expiring")
    page.clock.run_for(60_000)
    assert page.locator("#banner-text").inner_text() == "Your session has expired."
    assert visible_sign_in_buttons(page) == SIGN_IN_BUTTONS
    screenshot(page, "brython-6-expired")


@pytest.mark.parametrize("kind", PAGES)
def test_signing_out_while_the_expiring_banner_shows_hides_it(python_page, page_watch, demo,
                                                              getresponse_mock, kind):
    page = python_page
    getresponse_mock.set_token_lifetime(90)
    page.clock.install()
    open_demo(page, page_watch, demo, PAGES[kind])
    assert not page.locator("#banner").is_visible()  # no empty banner before anything happened
    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(demo.url + PAGES[kind])
    page_watch.wait_for_flag("demoReady")
    assert not page.locator("#banner").is_visible()
    page.clock.run_for(30_000)
    assert page.locator("#banner").is_visible()

    page.get_by_role("button", name="Sign out").click()

    assert not page.locator("#banner").is_visible()
    assert visible_sign_in_buttons(page) == SIGN_IN_BUTTONS


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_static_files_are_served_precompressed_with_validators(demo, coding):
    import httpx

    # A browser revalidates with the Accept-Encoding it sent first: each coding is its own
    # representation, with its own ETag.
    first = httpx.get(demo.url + "/brython.js", headers={"Accept-Encoding": coding})
    again = httpx.get(demo.url + "/brython.js",
                      headers={"Accept-Encoding": coding, "If-None-Match": first.headers["etag"]})

    assert first.headers["content-encoding"] == coding
    assert again.status_code == 304


@pytest.mark.parametrize("kind", PAGES)
def test_sign_in_in_a_popup_keeps_the_page(python_page, page_watch, demo, getresponse_mock, kind):
    page = python_page
    open_demo(page, page_watch, demo, PAGES[kind])
    page.evaluate("window.demoReady = undefined; window.keptInMemory = 'yes'")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Sign in (popup)").click()
    opened.value.get_by_role("button", name="Allow").click()
    page_watch.wait_for_flag("demoReady")
    page.wait_for_function("document.getElementById('account-email').textContent !== ''")

    assert page.locator("#account-email").inner_text() == "ada.lovelace@example.com"
    assert page.evaluate("window.keptInMemory") == "yes"
    assert page.url == demo.url + PAGES[kind]
    assert not page.locator("#banner").is_visible()
