"""The mock under load, under races, and with its logs read for secrets."""

import asyncio
import base64
import json
import logging
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.tools._raw_http import RawConnection
from tests.mock.helpers import run_async

BASIC = ("Authorization", "Basic " + base64.b64encode(b"demo-client:demo-secret").decode())
FORM = ("Content-Type", "application/x-www-form-urlencoded")
CLIENTS, FLOWS_EACH, TIME_LIMIT = 200, 20, 180


@pytest.fixture(scope="module")
def mock_process():
    """The CLI in its own process, as a test suite in another language would run it."""
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli", "--port", "0",
                                "--auto-approve"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    port = int(re.search(r":(\d+)", process.stdout.readline()).group(1))
    yield process, port
    process.terminate()
    process.communicate(timeout=10)


async def full_flow(connection, latencies):
    """authorize (auto-approve) -> code exchange -> API call -> refresh, each checked."""
    query = urlencode({"response_type": "code", "client_id": "demo-client", "state": "load"})
    steps = [("GET", f"/oauth2_authorize.html?{query}", (), b"")]
    status, location, _ = await timed(connection, latencies, *steps[0])
    assert status == 302, status
    code = parse_qs(urlsplit(location).query)["code"][0]
    status, _, body = await timed(connection, latencies, "POST", "/v3/token", (BASIC, FORM),
                                  urlencode({"grant_type": "authorization_code", "code": code}).encode())
    assert status == 200, body
    tokens = json.loads(body)
    status, _, body = await timed(connection, latencies, "GET", "/v3/accounts",
                                  (("Authorization", f"Bearer {tokens['access_token']}"),))
    assert status == 200 and b"VfEy1" in body, body
    status, _, body = await timed(connection, latencies, "POST", "/v3/token", (BASIC, FORM),
                                  urlencode({"grant_type": "refresh_token",
                                             "refresh_token": tokens["refresh_token"]}).encode())
    assert status == 200 and json.loads(body)["refresh_token"] == tokens["refresh_token"], body


async def timed(connection, latencies, *request):
    started = time.perf_counter()
    answer = await connection.request(*request)
    latencies.append((time.perf_counter() - started) * 1000)
    return answer


async def load(port):
    latencies, failures = [], []

    async def client():
        connection = await RawConnection.open(port)
        try:
            for _ in range(FLOWS_EACH):
                try:
                    await full_flow(connection, latencies)
                except AssertionError as failure:
                    failures.append(str(failure))
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(CLIENTS))), TIME_LIMIT)
    return latencies, failures, time.perf_counter() - started


def test_200_clients_doing_20_full_flows_each_lose_nothing(mock_process, security_report):
    process, port = mock_process

    latencies, failures, elapsed = run_async(load(port))

    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    security_report["mock load"] = (
        f"{CLIENTS} clients x {FLOWS_EACH} flows = {CLIENTS * FLOWS_EACH} flows, "
        f"{len(latencies)} requests in {elapsed:.1f} s ({len(latencies) / elapsed:.0f} req/s), "
        f"p99 {p99:.1f} ms, {len(failures)} errors")
    assert failures == []
    assert len(latencies) == CLIENTS * FLOWS_EACH * 4
    assert process.poll() is None


async def concurrent_posts(url, data, count):
    async with httpx.AsyncClient(auth=("demo-client", "demo-secret"), timeout=30) as client:
        answers = await asyncio.gather(*(client.post(url, data=data) for _ in range(count)))
    return [(a.status_code, a.json().get("error")) for a in answers]


def test_50_concurrent_redemptions_of_one_code_succeed_once(getresponse_mock, security_report):
    getresponse_mock.set_auto_approve(True)
    response = httpx.get(getresponse_mock.authorize_url, params={
        "response_type": "code", "client_id": "demo-client", "state": "race"})
    code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]

    outcomes = run_async(concurrent_posts(getresponse_mock.api_base + "/token",
                                            {"grant_type": "authorization_code", "code": code}, 50))

    assert sorted(outcomes) == [(200, None)] + [(400, "invalid_grant")] * 49
    security_report["race: one code, 50 redemptions"] = "1 succeeded, 49 invalid_grant"


def test_50_concurrent_refreshes_with_rotation_succeed_once(getresponse_mock, security_report):
    getresponse_mock.set_auto_approve(True)
    getresponse_mock.set_refresh_rotation(True)
    response = httpx.get(getresponse_mock.authorize_url, params={
        "response_type": "code", "client_id": "demo-client", "state": "race"})
    code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
    tokens = httpx.post(getresponse_mock.api_base + "/token", auth=("demo-client", "demo-secret"),
                        data={"grant_type": "authorization_code", "code": code}).json()

    outcomes = run_async(concurrent_posts(
        getresponse_mock.api_base + "/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}, 50))

    assert sorted(outcomes) == [(200, None)] + [(400, "invalid_grant")] * 49
    security_report["race: one refresh token (rotation on), 50 refreshes"] = (
        "1 succeeded, 49 invalid_grant")


def test_secrets_never_reach_any_log(caplog, capfd):
    caplog.set_level(logging.DEBUG)  # even with every logger at DEBUG
    with run_mock_server(auto_approve=True) as server, httpx.Client(base_url=server.url) as http:
        location = http.get("/oauth2_authorize.html", params={
            "response_type": "code", "client_id": "demo-client", "state": "s"}).headers["location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        tokens = http.post("/v3/token", auth=("demo-client", "demo-secret"),
                           data={"grant_type": "authorization_code", "code": code}).json()
        implicit = http.get("/oauth2_authorize.html", params={
            "response_type": "token", "client_id": "demo-client",
            "redirect_uri": "http://127.0.0.1/cb", "state": "s"}).headers["location"]
        http.get("/v3/accounts", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        http.post("/v3/token", auth=("demo-client", "demo-secret"),
                  data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
        request_log = json.dumps(server.requests())

    implicit_token = parse_qs(urlsplit(implicit).fragment)["access_token"][0]
    out, err = capfd.readouterr()
    # The client's own loggers (httpx, httpcore) log what it received, as any client may.
    server_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logs = "\n".join(r.getMessage() for r in server_records) + out + err + request_log
    for secret in ("demo-secret", code, tokens["access_token"], tokens["refresh_token"],
                   implicit_token, base64.b64encode(b"demo-client:demo-secret").decode()):
        assert secret not in logs


def test_cli_request_log_redacts_secrets():
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)", process.stdout.readline()).group(1))
    while "Press Ctrl-C" not in process.stdout.readline():  # the banner names the demo secret
        pass
    response = httpx.post(f"http://127.0.0.1:{port}/v3/token", auth=("demo-client", "demo-secret"),
                          data={"grant_type": "client_credentials"})
    token = response.json()["access_token"]
    httpx.get(f"http://127.0.0.1:{port}/v3/accounts?access_token={token}")
    process.terminate()
    log, err = process.communicate(timeout=10)

    assert "/v3/accounts?access_token=%3Credacted%3E" in log
    assert token not in log + err and "demo-secret" not in log + err
