"""What a request can make the mock hold: headers, bodies, connections, per-caller state.

The abuse runs against the CLI in its own process, so its peak memory (VmHWM) is the mock's own.
"""

import asyncio
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from implicitflow_testing.mock import Limits
from implicitflow_testing.mock._server import run_mock_server
from tests.mock.helpers import FrozenClock, api_key, code_grant_tokens, raw_exchange, run_async, token_request

MEMORY_BUDGET_MB = 150
BIG_HEADER = "x" * (1 << 20)


def peak_memory_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


@pytest.fixture(scope="module")
def mock_process():
    process = subprocess.Popen([sys.executable, "-m", "implicitflow_testing.tools.mock_cli",
                                "--port", "0", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)", process.stdout.readline()).group(1))
    yield process, port
    process.terminate()
    process.communicate(timeout=10)


async def big_headers(port, count):
    """`count` requests, each with a different 1 MB Authorization header, 20 at a time."""
    statuses = []

    async def one(index):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /v3/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     f"Authorization: Bearer {index}{BIG_HEADER}\r\n\r\n".encode())
        try:
            await writer.drain()
            statuses.append((await reader.read(64))[9:12])
        except OSError:
            statuses.append(b"reset")
        writer.close()

    for start in range(0, count, 20):
        await asyncio.gather(*(one(i) for i in range(start, min(count, start + 20))))
    return statuses


async def huge_body(port, megabytes):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /v3/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * (1 << 20)
    try:
        for _ in range(megabytes):
            writer.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            await writer.drain()
        answer = await reader.read(64)
    except OSError:
        answer = b""  # refused and closed part-way: what we want
    writer.close()
    return answer


async def slow_clients(port, count):
    """`count` connections that send half a request line and then nothing."""
    writers = []
    for _ in range(count):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /v3/acc")
        writers.append(writer)
    return writers


async def abuse_while_serving(port):
    """All the abuse at once, while a normal client signs in and calls the API."""
    slow = await slow_clients(port, 200)
    headers, body = await asyncio.gather(big_headers(port, 300), huge_body(port, 400))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        token = (await http.post("/v3/token", data={"grant_type": "client_credentials"},
                                 auth=("demo-client", "demo-secret"))).json()["access_token"]
        big_json = await http.post("/_mock/clients", content=b'{"x": "' + b"y" * (1 << 20) + b'"}',
                                   headers={"Content-Type": "application/json"})
        served = await http.get("/v3/accounts", headers={"Authorization": f"Bearer {token}"})
    for writer in slow:
        writer.close()
    return headers, body, big_json.status_code, served.status_code


def test_the_mock_keeps_its_memory_and_serves_while_abused(mock_process, security_report):
    process, port = mock_process

    # A mock without limits never answers some of these: fail then, rather than hang.
    headers, body, big_json, served = run_async(asyncio.wait_for(abuse_while_serving(port), 120))

    peak = peak_memory_mb(process.pid)
    security_report["peak memory of the mock under abuse"] = (
        f"{peak:.0f} MB (300 requests with 1 MB headers, a 400 MB body, a 1 MB control body, "
        f"200 slow connections; budget {MEMORY_BUDGET_MB} MB)")
    assert set(headers) <= {b"431", b"reset"} and b"431" in headers
    assert body.startswith(b"HTTP/1.1 413") or body == b""
    assert big_json == 413
    assert served == 200
    assert peak < MEMORY_BUDGET_MB
    assert process.poll() is None


def test_headers_over_the_cap_get_431():
    with run_mock_server(limits=Limits(max_header_bytes=4096)) as mock:
        answer = raw_exchange(mock.port, b"GET /v3/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         b"X-Padding: " + b"p" * 8192 + b"\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 431")


COMPLETE = b"GET /_mock/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def statuses(answer):
    return re.findall(rb"HTTP/1.1 (\d{3})", answer)


def test_headers_pipelined_after_a_complete_request_count_toward_the_cap(security_report):
    with run_mock_server(limits=Limits(max_header_bytes=4096)) as mock:
        # One write: a whole request, then 8 KB of the next one's headers, never finished.
        answer = raw_exchange(mock.port, COMPLETE + b"GET /_mock/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                    b"X-Padding: " + b"p" * 8192, wait=10)

    security_report["a partial request pipelined after a whole one, 8 KB against a 4 KB cap"] = (
        " then ".join(status.decode() for status in statuses(answer)) or "no answer")
    assert statuses(answer) == [b"200", b"431"]


def test_headers_pipelined_after_a_complete_request_have_the_deadline():
    with run_mock_server(limits=Limits(header_timeout=0.5)) as mock:
        # The keep-alive timeout (30 s) would close it silently; only the deadline answers 408.
        answer = raw_exchange(mock.port, COMPLETE + b"GET /v3/acc", wait=10)

    assert statuses(answer) == [b"200", b"408"]


def test_pipelined_requests_are_counted_one_by_one():
    # 50 whole requests (2 KB) and 3 KB of a 51st, in one read, against a 4 KB cap: each
    # request counts its own bytes only, so all 51 are answered.
    last = b"GET /_mock/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Padding: " + b"p" * 3000
    with run_mock_server(limits=Limits(max_header_bytes=4096)) as mock, \
            socket.create_connection(("127.0.0.1", mock.port), timeout=10) as connection:
        connection.sendall(COMPLETE * 50 + last)
        connection.sendall(b"\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk

    assert statuses(answer) == [b"200"] * 51


def test_a_body_over_the_cap_gets_413_before_it_is_read(getresponse_mock):
    # Announces 100 MB, sends 1 KB and waits: the answer cannot come from reading it all.
    answer = raw_exchange(getresponse_mock.port,
                          b"POST /v3/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/x-www-form-urlencoded\r\n"
                          b"Content-Length: 104857600\r\n\r\n" + b"a" * 1024)

    assert answer.startswith(b"HTTP/1.1 413")


def test_the_body_cap_applies_to_controls_and_can_be_set():
    with run_mock_server(limits=Limits(max_body_bytes=1000)) as mock:
        response = httpx.post(mock.url + "/_mock/clients", headers={"Content-Type": "application/json"},
                              content=b'{"client_id": "' + b"a" * 2000 + b'"}')

    assert response.status_code == 413


def test_a_connection_whose_headers_do_not_arrive_in_time_is_closed():
    with run_mock_server(limits=Limits(header_timeout=0.5)) as mock:
        # The socket gives up after 30 s with nothing read: only the mock's 408 passes.
        answer = raw_exchange(mock.port, b"GET /v3/accounts HTTP/1.1\r\nHost: 12", wait=30)

    assert answer.startswith(b"HTTP/1.1 408")


def test_a_body_that_does_not_arrive_in_time_is_closed():
    with run_mock_server(limits=Limits(header_timeout=0.5)) as mock:
        answer = raw_exchange(mock.port, b"POST /v3/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                                         b"Content-Length: 100\r\n\r\ngrant_type", wait=30)

    assert answer.startswith(b"HTTP/1.1 408")


def test_held_connections_do_not_lock_out_new_clients():
    with run_mock_server(limits=Limits(max_connections=20)) as mock:
        held = [socket.create_connection(("127.0.0.1", mock.port)) for _ in range(60)]
        for connection in held:
            connection.sendall(b"GET /v3/acc")
        try:
            response = httpx.post(mock.url + "/v3/token", data={"grant_type": "client_credentials"},
                                  auth=("demo-client", "demo-secret"), timeout=10)
        finally:
            for connection in held:
                connection.close()

    assert response.status_code == 200


def test_requests_that_fail_authentication_leave_no_state(getresponse_mock):
    with httpx.Client(base_url=getresponse_mock.url) as http:
        for index in range(300):
            http.get("/v3/accounts", headers={"Authorization": f"Bearer forged-{index}"})
        tokens = code_grant_tokens(http)
        http.get("/v3/accounts", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert len(getresponse_mock.state.rate_buckets) == 1


def test_x_domain_values_neither_reset_the_quota_nor_add_buckets(getresponse_mock, security_report):
    calls = 5000
    with httpx.Client(base_url=getresponse_mock.url) as http:
        token = token_request(http, {"grant_type": "client_credentials"},
                              headers={"X-Domain": "issued.example"}).json()["access_token"]
        answers = [http.get("/v3/accounts", headers={"Authorization": f"Bearer {token}",
                                                     "X-Domain": f"d{index}.example"})
                   for index in range(calls)]

    buckets = len(getresponse_mock.state.rate_buckets)
    remaining = int(answers[-1].headers["X-RateLimit-Remaining"])
    security_report["rate-limit buckets after 5000 distinct X-Domain values"] = (
        f"{buckets}; quota {'not reset' if remaining == 30000 - calls else 'reset'} "
        f"({remaining} of 30000 left)")
    assert {answer.status_code for answer in answers} == {200}
    assert buckets == 1 and remaining == 30000 - calls
    assert all(token.domain is None for token in getresponse_mock.state.tokens.values())


def test_x_domain_values_do_not_escape_the_per_second_limit():
    with run_mock_server(clock=FrozenClock()) as mock, httpx.Client(base_url=mock.url) as http:
        mock.enforce_documented_limits()
        statuses = [http.get("/v3/accounts", headers={**api_key(), "X-Domain": f"d{index}.example"}
                             ).status_code for index in range(81)]

    assert statuses == [200] * 80 + [429]


def test_each_max_domain_has_its_own_bucket_and_the_least_recently_counted_goes_first():
    domains = [f"d{index}.getresponse360.com" for index in range(4)]
    with run_mock_server(max_region="us", max_domains=domains,
                         limits=Limits(max_rate_buckets=3)) as mock, \
            httpx.Client(base_url=mock.url) as http:
        for domain in [domains[0], domains[1], domains[2], domains[0], domains[3]]:
            assert http.get("/v3/accounts", headers={**api_key(), "X-Domain": domain}
                            ).status_code == 200
        kept = [domain for domain, _ in mock.state.rate_buckets]

    assert kept == [domains[2], domains[0], domains[3]]  # domains[1] was counted least recently
