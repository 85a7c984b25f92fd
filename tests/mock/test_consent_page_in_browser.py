"""A person clicks Allow or Deny on the mock's consent page in Chromium."""

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import authorize_params

pytestmark = pytest.mark.browser


def open_consent(page, getresponse_mock, site):
    from urllib.parse import urlencode

    params = authorize_params(redirect_uri=site.url + "/test/landing.html", state="from-browser")
    page.goto(getresponse_mock.authorize_url + "?" + urlencode(params))


def fragment(page):
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).fragment).items()}


def test_clicking_allow_lands_on_the_redirect_uri_with_a_token(page, getresponse_mock, site):
    open_consent(page, getresponse_mock, site)
    assert page.locator("#client-name").inner_text() == "implicitflow demo"
    assert page.locator("#account-name").inner_text() == "Ada Lovelace"
    assert page.locator("#account-email").inner_text() == "ada.lovelace@example.com"

    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(site.url + "/test/landing.html#*")

    assert fragment(page)["state"] == "from-browser"
    assert fragment(page)["token_type"] == "bearer"


def test_clicking_deny_lands_with_access_denied(page, getresponse_mock, site):
    open_consent(page, getresponse_mock, site)

    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(site.url + "/test/landing.html#*")

    assert fragment(page)["error"] == "access_denied"
    assert "access_token" not in fragment(page)
