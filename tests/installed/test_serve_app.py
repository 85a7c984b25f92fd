"""The `serve_app` fixture: a user's folder, the mock's API at the path the user picks, and
the real sign-in pages answered by the mock."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def app_folder(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title><p>hello</p>")
    return tmp_path


def test_the_folder_is_served_and_the_api_path_reaches_the_mock(serve_app, app_folder):
    url = serve_app(app_folder, api_path="/backend/gr")

    with urllib.request.urlopen(url + "/") as response:
        assert b"<p>hello</p>" in response.read()
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(url + "/backend/gr/accounts")  # no token: GetResponse's 401 body
    assert answer.value.code == 401 and json.load(answer.value)["code"] == 1014


def test_a_max_custom_domains_sign_in_page_is_answered_by_the_max_mock(
        serve_app, app_folder, page, getresponse_max_mock):
    url = serve_app(app_folder, mock=getresponse_max_mock)

    page.goto("https://acme.getresponse360.com/oauth2_authorize.html?" + urlencode({
        "response_type": "token", "client_id": "demo-client", "redirect_uri": url + "/",
        "state": "s"}))

    assert page.url.startswith(getresponse_max_mock.authorize_url + "?response_type=token&")
    assert page.get_by_role("button", name="Allow").is_visible()


@pytest.mark.parametrize(("folder", "api_path", "message"), [
    ("missing", "/api", "the app folder '.*missing' is not a folder"),
    (".", "api", "api_path must be a path below the site's root"),
    (".", "/", "api_path must be a path below the site's root"),
])
def test_a_bad_folder_or_api_path_is_a_clear_error(serve_app, app_folder, folder, api_path, message):
    with pytest.raises(ValueError, match=message):
        serve_app(app_folder / folder, api_path=api_path)
