"""`implicitflow-audit`: its own mock or a running one, the table, JSON, JUnit, exit codes."""

import json
import socket
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from implicitflow_testing import ServerThread
from implicitflow_testing.audit import RemoteMock
from implicitflow_testing.tools.demo import demo_app
from tests.audit.conftest import EXAMPLES, SIGN_IN, SIGNED_IN
from tests.audit.test_each_check import HOLES_APP


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def audit_cli(*arguments):
    return subprocess.run([sys.executable, "-m", "implicitflow_testing.audit.cli", *arguments],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.browser
def test_with_its_own_mock_it_prints_fails_and_writes_json_and_junit(tmp_path):
    port = free_port()
    # The app is configured for the mock the CLI is about to start on that port.
    app = demo_app(EXAMPLES / "naive-no-state", RemoteMock(f"http://127.0.0.1:{port}"), 60)
    with ServerThread(app) as site:
        done = audit_cli("--app", site.url + "/", "--sign-in", SIGN_IN, "--signed-in", SIGNED_IN,
                         "--mock-port", str(port), "--check", "sign-in",
                         "--check", "login-csrf-rejected", "--json", str(tmp_path / "audit.json"),
                         "--junit", str(tmp_path / "audit.xml"))

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"authorize URL http://127.0.0.1:{port}/oauth2_authorize.html" in done.stdout
    assert "login-csrf-rejected  FAIL" in done.stdout
    written = json.loads((tmp_path / "audit.json").read_text())
    assert written["app"] == site.url + "/"
    assert [(c["id"], c["verdict"]) for c in written["checks"]] == [
        ("sign-in", "pass"), ("login-csrf-rejected", "fail")]
    assert all(set(c) >= {"id", "verdict", "evidence", "reference"} for c in written["checks"])
    suite = ElementTree.parse(tmp_path / "audit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    assert suite.find("testcase[@name='login-csrf-rejected']/failure") is not None


@pytest.mark.browser
def test_against_a_running_mock_a_passing_app_exits_0(demo, getresponse_mock):
    done = audit_cli("--app", demo.url + "/plain.html", "--sign-in", SIGN_IN, "--signed-in",
                     SIGNED_IN, "--mock", getresponse_mock.url, "--check", "sign-in")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "sign-in  PASS" in done.stdout


def test_a_mock_that_does_not_answer_is_exit_2_with_the_reason():
    done = audit_cli("--app", "http://127.0.0.1:9/", "--sign-in", "a", "--signed-in", "b",
                     "--mock", f"http://127.0.0.1:{free_port()}")

    assert done.returncode == 2
    assert "cannot run: the mock at http://127.0.0.1:" in done.stderr


def test_an_app_url_that_is_not_http_is_exit_2(getresponse_mock):
    done = audit_cli("--app", "127.0.0.1:3000", "--sign-in", "a", "--signed-in", "b",
                     "--mock", getresponse_mock.url)

    assert done.returncode == 2
    assert "app_url must be an http(s) URL" in done.stderr


@pytest.mark.browser
def test_client_id_registers_the_apps_client_with_its_own_mock():
    port = free_port()
    app = demo_app(HOLES_APP, RemoteMock(f"http://127.0.0.1:{port}"), 60)
    with ServerThread(app) as site:
        url = site.url + "/?client=audited-app"
        done = audit_cli("--app", url, "--sign-in", SIGN_IN, "--signed-in", SIGNED_IN,
                         "--mock-port", str(port), "--client-id", "audited-app",
                         "--check", "sign-in", "--check", "denied-sign-in")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "and the app's client audited-app" in done.stdout
    assert f"note: registered client 'audited-app' with the mock at http://127.0.0.1:{port}" in done.stdout
    assert "denied-sign-in  PASS" in done.stdout


def test_a_redirect_uri_without_a_client_id_is_exit_2():
    done = audit_cli("--app", "http://127.0.0.1:9/", "--sign-in", "a", "--signed-in", "b",
                     "--redirect-uri", "http://127.0.0.1:9/callback")

    assert done.returncode == 2
    assert "--redirect-uri needs --client-id" in done.stderr
