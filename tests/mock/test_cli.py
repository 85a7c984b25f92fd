"""`implicitflow-mock` starts, serves, prints its URL and the demo client, and stops on Ctrl-C."""

import re
import shutil
import signal
import subprocess
import sys

import httpx


def test_cli_serves_and_stops_cleanly_on_ctrl_c():
    executable = shutil.which("implicitflow-mock") or sys.executable
    command = [executable] if executable.endswith("implicitflow-mock") else [
        executable, "-m", "implicitflow_testing.tools.mock_cli"]
    process = subprocess.Popen(command + ["--port", "0", "--auto-approve"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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


def test_cli_refuses_max_without_a_domain():
    result = subprocess.run(
        [sys.executable, "-m", "implicitflow_testing.tools.mock_cli", "--max-region", "us"],
        capture_output=True, text=True, timeout=30)

    assert result.returncode == 2
    assert "--max-domain" in result.stderr


def test_cli_prints_what_it_answered_just_before_a_reset():
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli",
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
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
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli",
                                "--port", "0", "--api-key", "my-key"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline()).group(0)
        banner = "".join(process.stdout.readline() for _ in range(5))
        answer = httpx.get(url + "/v3/accounts", headers={"X-Auth-Token": "api-key my-key"})
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)

    assert "X-Auth-Token: api-key my-key" in banner
    assert answer.status_code == 200
