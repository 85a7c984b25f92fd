# The smallest test against the getresponse_mock fixture: a denied sign-in, and a request log
# that lists only what the test's page asked for (no favicon or other browser noise).
from urllib.parse import urlencode


def test_sign_in_is_denied(page, getresponse_mock):
    getresponse_mock.deny_next()  # the next consent answers "Deny" without showing the page
    redirect_uri = getresponse_mock.url + "/callback"  # any http://127.0.0.1 URL is registered
    page.goto(getresponse_mock.authorize_url + "?" + urlencode({
        "response_type": "token", "client_id": "demo-client",
        "redirect_uri": redirect_uri, "state": "xyz"}))

    assert page.url.startswith(redirect_uri + "#error=access_denied")
    assert [r["path"] for r in getresponse_mock.requests()] == ["/oauth2_authorize.html", "/callback"]
