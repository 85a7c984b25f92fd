"""What a user's own pytest run sees of the plugin, from a project folder of their own."""

import subprocess
import sys


def test_a_run_that_uses_base_url_shows_no_third_party_deprecation(tmp_path):
    # pytest-playwright's `page` asks for `base_url`, whose fallback definition pytest deprecates.
    (tmp_path / "test_app.py").write_text("def test_app(base_url):\n    assert base_url is None\n")

    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "warning" not in run.stdout.lower(), run.stdout



USER_CONFTEST = '''
import socket

import pytest

from implicitflow_testing import MockOptions


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = free_port()


@pytest.fixture(scope="session")
def getresponse_mock_options():
    return MockOptions(port=PORT, auto_approve=True, token_lifetime=77,
                       max_domain="shop.getresponse360.com")
'''

USER_TESTS = '''
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from conftest import PORT

SIGN_IN = {"response_type": "token", "client_id": "demo-client",
           "redirect_uri": "http://127.0.0.1:8000/callback", "state": "s"}


def signed_in(mock):
    answer = httpx.get(mock.authorize_url, params=SIGN_IN)
    assert answer.status_code == 302, "auto-approve: no consent page"
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).fragment).items()}


@pytest.mark.parametrize("run", ["first", "after a reset"])
def test_the_mock_starts_as_the_options_say(getresponse_mock, run):
    getresponse_mock.set_token_lifetime(5)  # the next test's reset puts the option back

    assert getresponse_mock.port == PORT
    assert signed_in(getresponse_mock)["expires_in"] == "5"


def test_token_lifetime_and_auto_approve_survive_the_reset(getresponse_mock):
    assert signed_in(getresponse_mock)["expires_in"] == "77"


def test_the_max_mock_serves_the_options_domain(getresponse_max_mock):
    def token(domain):
        return httpx.post(getresponse_max_mock.url + "/v3/token", auth=("demo-client", "demo-secret"),
                          data={"grant_type": "client_credentials"}, headers={"X-Domain": domain})

    assert token("shop.getresponse360.com").status_code == 200
    assert token("acme.getresponse360.com").status_code == 400


def test_the_shared_clock_moves_the_page_and_the_mock(page, getresponse_mock, shared_clock):
    page.goto(getresponse_mock.url + "/_mock/")
    page.evaluate("window.expired = false; setTimeout(() => { window.expired = true }, 77000)")
    token = signed_in(getresponse_mock)["access_token"]
    api = getresponse_mock.api_base + "/accounts"
    bearer = {"Authorization": "Bearer " + token}

    shared_clock.run_for(76)
    before = httpx.get(api, headers=bearer).status_code, page.evaluate("window.expired")
    shared_clock.run_for(1)
    after = httpx.get(api, headers=bearer), page.evaluate("window.expired")

    assert before == (200, False)
    assert after[0].status_code == 401
    assert after[0].json()["message"] == "The access token provided is expired" and after[1]
'''


def test_a_user_configures_the_mocks_in_their_conftest_and_moves_both_clocks(tmp_path):
    (tmp_path / "conftest.py").write_text(USER_CONFTEST)
    (tmp_path / "test_with_the_mock.py").write_text(USER_TESTS)

    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout, run.stdout
