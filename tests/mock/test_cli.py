"""`implicitflow-mock` starts, serves, prints its URL and the demo client, and stops on Ctrl-C."""

import re
import shutil
import signal
import subprocess
import sys

import httpx
import pytest

from implicitflow_testing.mock import Limits
from implicitflow_testing.tools.mock_cli import limits_of, parse_arguments


def start_cli(*flags, command=None):
    """The mock's CLI started as from a terminal. SIGINT is put back to its default in the
    child: a shell starting a job in the background (`cmd &` without job control) hands it on
    ignored, and Python then never turns Ctrl-C into KeyboardInterrupt."""
    command = command or [sys.executable, "-m", "implicitflow_testing.tools.mock_cli"]
    return subprocess.Popen([*command, "--port", "0", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_cli_serves_and_stops_cleanly_on_ctrl_c():
    executable = shutil.which("implicitflow-mock") or sys.executable
    command = [executable] if executable.endswith("implicitflow-mock") else [
        executable, "-m", "implicitflow_testing.tools.mock_cli"]
    process = start_cli("--auto-approve", command=command)
    try:
        first_line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first_line).group(0)
        banner = "".join(process.stdout.readline() for _ in range(4))

        response = httpx.post(url + "/v3/token", data={"grant_type": "client_credentials"},
                              auth=("demo-client", "demo-secret"))
        assert response.status_code == 200
        assert "demo-client" in banner and "demo-secret" in banner
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)

    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err
    assert response.json()["access_token"] not in out + err


@pytest.mark.parametrize(("flags", "complaint"), [
    (["--max-region", "us"], "--max-region needs at least one --max-domain"),
    (["--max-codes", "0"], "--max-codes must be at least 1"),
    (["--max-tokens", "-1"], "--max-tokens must be at least 1"),
])
def test_cli_refuses_a_configuration_it_cannot_serve(flags, complaint):
    result = subprocess.run(
        [sys.executable, "-m", "implicitflow_testing.tools.mock_cli", *flags],
        capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert complaint in result.stderr


def test_cli_prints_what_it_answered_just_before_a_reset():
    process = start_cli()
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline()).group(0)
        with httpx.Client(base_url=url) as http:
            http.get("/v3/from-fields", params={"marker": "before-reset"})
            http.post("/_mock/reset", json={})
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=10)

    assert "401 GET /v3/from-fields?marker=before-reset" in out


def test_cli_names_the_api_key_and_takes_another():
    process = start_cli("--api-key", "my-key")
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline()).group(0)
        banner = "".join(process.stdout.readline() for _ in range(5))
        answer = httpx.get(url + "/v3/accounts", headers={"X-Auth-Token": "api-key my-key"})
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)

    assert "X-Auth-Token: api-key my-key" in banner
    assert answer.status_code == 200


def test_cli_caps_what_it_remembers():
    process = start_cli("--quiet", "--max-tokens", "3", "--max-refresh-tokens", "2",
                        "--max-codes", "2", "--max-rate-buckets", "1")
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline()).group(0)
        with httpx.Client(base_url=url, auth=("demo-client", "demo-secret")) as http:
            tokens = [http.post("/v3/token", data={"grant_type": "client_credentials"})
                      .json()["access_token"] for _ in range(4)]
            answers = [http.get("/v3/accounts", auth=None,
                                headers={"Authorization": f"Bearer {token}"})
                       for token in tokens]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)

    # The first of four is forgotten and answered as a token the mock never issued.
    assert [answer.status_code for answer in answers] == [401, 200, 200, 200]
    assert answers[0].json()["code"] == 1014


def test_cli_token_lifetime_outlives_a_reset():
    # A CI job's /_mock/reset must not give the next job GetResponse's default lifetime.
    process = start_cli("--quiet", "--token-lifetime", "90")
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline()).group(0)
        with httpx.Client(base_url=url, auth=("demo-client", "demo-secret")) as http:
            lifetimes = []
            for _ in range(2):
                token = http.post("/v3/token", data={"grant_type": "client_credentials"}).json()
                lifetimes.append(token["expires_in"])
                assert http.post("/_mock/reset", json={}).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)

    assert lifetimes == [90, 90]


def test_every_limit_has_a_flag():
    assert limits_of(parse_arguments([])) == Limits()
    args = parse_arguments(["--max-header-bytes", "1000", "--max-body-bytes", "2000",
                            "--header-timeout", "2.5", "--max-connections", "7",
                            "--max-tokens", "11", "--max-refresh-tokens", "12",
                            "--max-codes", "13", "--max-rate-buckets", "14"])

    assert limits_of(args) == Limits(max_header_bytes=1000, max_body_bytes=2000,
                                     header_timeout=2.5, max_connections=7, max_tokens=11,
                                     max_refresh_tokens=12, max_codes=13, max_rate_buckets=14)
