"""The plain-JavaScript example app against the mock GetResponse, in Chromium (or Firefox, with
`pytest --browser firefox`).

    pip install 'implicitflow[testing]' pytest-playwright
    implicitflow bundle public/vendor --no-compiler
    pytest
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

#: index.html, app.js, callback.html (the redirect_uri), and vendor/ (implicitflow bundle)
PUBLIC = Path(__file__).parent / "public"


@pytest.fixture
def app_url(serve_app, getresponse_mock):
    url = serve_app(PUBLIC, api_path="/api/getresponse")
    # The mock starts each test knowing only its demo client: register the app's own.
    getresponse_mock.register_client("example-app", "example-secret", [url + "/callback.html"])
    return url


def test_sign_in_shows_the_account(page, app_url, getresponse_mock):
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.get_by_role("button", name="Allow").click()  # on the mock's consent page

    expect(page.locator("#status")).to_have_text("Signed in as ada.lovelace@example.com")
    assert "#" not in page.url  # the token has left the address bar
    # and was never in this page's URL, which the performance timeline keeps
    assert "access_token" not in page.evaluate("JSON.stringify(performance.getEntries())")
    assert [r["path"] for r in getresponse_mock.requests() if r["path"].startswith("/v3/")] == [
        "/v3/accounts"]  # called through the app's /api/getresponse proxy


def test_deny_is_explained(page, app_url):
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with GetResponse").click()
    page.get_by_role("button", name="Deny").click()

    expect(page.locator("#status")).to_have_text("You chose not to sign in with GetResponse.")
    expect(page.get_by_role("button", name="Sign in with GetResponse")).to_be_visible()


def test_a_token_the_api_no_longer_accepts_is_reported(page, app_url, getresponse_mock):
    getresponse_mock.set_auto_approve(True)  # no consent page this time
    page.goto(app_url)
    page.get_by_role("button", name="Sign in with GetResponse").click()
    expect(page.locator("#status")).to_have_text("Signed in as ada.lovelace@example.com")

    getresponse_mock.expire_tokens()  # GetResponse now answers 401 with code 1014
    page.reload()

    expect(page.locator("#status")).to_contain_text("Could not read your account")
    expect(page.get_by_role("button", name="Sign in with GetResponse")).to_be_visible()
