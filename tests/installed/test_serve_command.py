"""`implicitflow serve`: a user's app with its API proxy, run as a user runs it, and audited."""

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from implicitflow_bundle import write_bundle
from implicitflow_testing import run_mock_server

BIN = Path(sys.executable).parent
WEB = Path(__file__).resolve().parents[2] / "web"
EXAMPLE = WEB / "examples" / "javascript-app" / "public"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def public(tmp_path):
    folder = tmp_path / "public"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("vendor"))
    # What `implicitflow bundle public/vendor --no-compiler` writes.
    write_bundle(folder / "vendor", source=WEB / "dist", compiler=False)
    return folder


def start_serving(*arguments):
    """`implicitflow serve ...` in the background, once it says it is ready; and what it printed."""
    server = subprocess.Popen([BIN / "implicitflow", "serve", *map(str, arguments)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = []
    for line in server.stdout:
        printed.append(line)
        if line.startswith("Press Ctrl-C"):
            return server, "".join(printed)
    server.wait(10)
    raise AssertionError("implicitflow serve did not start:\n" + "".join(printed))


def stop(server):
    server.terminate()
    server.wait(10)


def test_an_app_served_with_a_mock_signs_in_and_passes_the_audit(public):
    port = free_port()
    app_url = f"http://127.0.0.1:{port}/"
    with run_mock_server() as mock:
        mock.register_client("example-app", "example-secret", [app_url + "callback.html"])
        server, printed = start_serving(public, "--api-path", "/api/getresponse", "--port", port,
                                        "--mock", mock.url)
        try:
            assert f"/api/getresponse/* -> {mock.url}/v3/*" in printed
            audit = subprocess.run(
                [BIN / "implicitflow-audit", "--app", app_url,
                 "--sign-in", 'role=button[name="Sign in with GetResponse"]',
                 "--signed-in", "text=Signed in as", "--mock", mock.url],
                capture_output=True, text=True, timeout=600)
        finally:
            stop(server)

    assert audit.returncode == 0, audit.stdout + audit.stderr  # every check passed


def test_with_its_own_mock_it_prints_what_to_configure_and_proxies_to_it(public):
    port = free_port()
    server, printed = start_serving(public, "--port", port, "--mock")
    try:
        account = httpx.get(f"http://127.0.0.1:{port}/api/getresponse/accounts")
        page = httpx.get(f"http://127.0.0.1:{port}/")
    finally:
        stop(server)

    assert "client_id:     demo-client" in printed
    assert f"redirect_uri:  http://127.0.0.1:{port}/" in printed
    assert account.status_code == 401 and account.json()["code"] == 1014  # the mock's answer
    assert page.status_code == 200 and page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("arguments, message", [
    (["--max", "us"], "--max needs --domain"),
    (["--max", "us", "--domain", "https://acme.getresponse360.com/"], "bare host name"),
    (["--domain", "acme.getresponse360.com"], "give --max us or --max pl too"),
    (["--api-path", "api"], "api_path must be a path below the site's root"),
    (["--header", "no colon"], "--header takes NAME:VALUE"),
])
def test_a_configuration_it_cannot_start_with_is_a_clear_error(public, arguments, message):
    result = subprocess.run([BIN / "implicitflow", "serve", public, *arguments],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 1 and message in result.stderr, result.stderr
