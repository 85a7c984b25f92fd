"""The API proxy of `implicitflow serve` (and of serve_app, the demo and the benchmark) reaches
the configured API and nothing else, forwards what the API reads from a browser and nothing
more, passes GetResponse's answers through unchanged, and answers only to allowed hosts."""

import asyncio
import json
import logging
import socket

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from implicitflow_server import ApiProxy, server_app
from implicitflow_testing import ServerThread

MAX_DOMAIN = "acme.getresponse360.com"
RATE_LIMITED = {"httpStatus": 429, "code": 1015, "codeDescription": "Quota reached",
                "message": "The throttling limit has been reached", "moreInfo": "", "uuid": "u",
                "context": {"currentLimit": 80, "timeToReset": "1 seconds"}}


class Upstream:
    """A stand-in API that records each request it gets and answers by path."""

    def __init__(self):
        self.seen = []
        self.app = Starlette(routes=[Route("/{path:path}", self.answer,
                                           methods=["GET", "HEAD", "POST", "PUT", "PATCH",
                                                    "DELETE", "OPTIONS", "TRACE"])])

    async def answer(self, request):
        self.seen.append({"method": request.method, "raw_path": request.scope["raw_path"].decode(),
                          "query": request.url.query, "headers": dict(request.headers),
                          "body": (await request.body()).decode()})
        path = request.url.path
        if path == "/v3/rate-limited":
            return JSONResponse(RATE_LIMITED, status_code=429, headers={
                "X-RateLimit-Limit": "30000", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1 seconds", "Retry-After": "1", "Set-Cookie": "s=1"})
        if path == "/v3/moved":
            return Response(status_code=302, headers={"Location": "/v3/elsewhere"})
        if path == "/v3/slow":
            await asyncio.sleep(3)
        return JSONResponse({"ok": True})


@pytest.fixture(scope="module")
def upstream():
    api = Upstream()
    with ServerThread(api.app) as server:
        api.url = server.url
        yield api


@pytest.fixture(scope="module")
def proxy(upstream, tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    (folder / "index.html").write_text("<p>app</p>")
    slow = ApiProxy("/api/slow", upstream.url + "/v3", timeout=0.5)
    unreachable = ApiProxy("/api/unreachable", f"http://127.0.0.1:{closed_port()}/v3")
    app = server_app(folder, "/api/getresponse", upstream.url + "/v3", x_domain=MAX_DOMAIN,
                     allowed_hosts=["app.example.com"],
                     routes=[Mount("/api/slow", app=slow), Mount("/api/unreachable", app=unreachable)])
    with ServerThread(app) as server:
        yield server


@pytest.fixture
def seen(upstream):
    upstream.seen.clear()
    return upstream.seen


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_request(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        return connection.recv(65536)


@pytest.mark.parametrize("path", ["..%2F..%2Fv4%2Fsecret", "..%2f..%2fsecret", "%2E%2E/%2E%2E/secret",
                                  "accounts%2F..%2F..%2Fsecret", "./..%2Fsecret", "accounts%5C..%5Csecret",
                                  "a\\..\\..\\secret", "accounts//x", "%00", "a%0d%0aHost:%20x"])
def test_a_path_that_could_leave_the_api_is_refused_before_it_is_sent(proxy, seen, path):
    response = httpx.get(f"{proxy.url}/api/getresponse/{path}")

    assert response.status_code == 404 and response.json()["error"] == "not_an_api_path"
    assert seen == []


def test_a_path_is_sent_below_the_api_base_segment_by_segment(proxy, seen):
    response = httpx.get(f"{proxy.url}/api/getresponse/contacts/@evil.example/a%20b?query[email]=x%40y&page=2")

    assert response.status_code == 200
    [request] = seen
    assert request["raw_path"] == "/v3/contacts/@evil.example/a%20b"
    assert request["query"] == "query[email]=x%40y&page=2"


def test_an_absolute_form_target_cannot_choose_the_host(proxy, upstream, seen):
    answer = raw_request(proxy.port, b"GET http://evil.example/api/getresponse/accounts HTTP/1.1\r\n"
                                     b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")

    assert b"evil.example" not in answer
    upstream_host = upstream.url.removeprefix("http://")
    assert all((r["raw_path"], r["headers"]["host"]) == ("/v3/accounts", upstream_host) for r in seen)


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "CONNECT", "PROPFIND"])
def test_only_the_apis_methods_are_sent(proxy, seen, method):
    response = httpx.request(method, f"{proxy.url}/api/getresponse/accounts")

    assert response.status_code == 405 and "GET" in response.headers["allow"]
    assert seen == []


def test_only_what_the_api_reads_from_a_browser_is_forwarded(proxy, seen):
    httpx.post(f"{proxy.url}/api/getresponse/contacts", content=b'{"email": "a@b.c"}', headers={
        "Authorization": "Bearer the-token", "Content-Type": "application/json",
        "Accept": "application/json", "Accept-Language": "pl", "Cookie": "session=app-cookie",
        "X-Auth-Token": "api-key the-accounts-key", "X-Domain": "someone-else.getresponse360.com",
        "X-Forwarded-For": "10.0.0.1", "Proxy-Authorization": "Basic eDp5", "TE": "trailers",
        "Upgrade": "websocket", "Keep-Alive": "timeout=5", "Referer": "http://127.0.0.1/#access_token=t",
        "Origin": "http://127.0.0.1"})

    [request] = seen
    headers = request["headers"]
    assert headers["authorization"] == "Bearer the-token"
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert headers["accept-language"] == "pl" and request["body"] == '{"email": "a@b.c"}'
    assert headers["x-domain"] == MAX_DOMAIN
    assert headers["host"].startswith("127.0.0.1:") and headers["host"] != f"127.0.0.1:{proxy.port}"
    for never in ("cookie", "x-auth-token", "x-forwarded-for", "proxy-authorization", "te", "upgrade",
                  "keep-alive", "referer", "origin"):
        assert never not in headers, never


def test_a_non_bearer_authorization_is_not_forwarded(proxy, seen):
    httpx.get(f"{proxy.url}/api/getresponse/accounts", headers={"Authorization": "Basic ZGVtbzpzZWNyZXQ="})

    assert "authorization" not in seen[0]["headers"]


def test_getresponses_answer_passes_through_unchanged(proxy, seen):
    response = httpx.get(f"{proxy.url}/api/getresponse/rate-limited")

    assert response.status_code == 429 and response.json() == RATE_LIMITED
    assert {name: response.headers[name] for name in ("x-ratelimit-limit", "x-ratelimit-remaining",
                                                      "x-ratelimit-reset", "retry-after")} == {
        "x-ratelimit-limit": "30000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1 seconds",
        "retry-after": "1"}
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_a_redirect_from_the_api_is_not_followed(proxy, seen):
    response = httpx.get(f"{proxy.url}/api/getresponse/moved")

    assert response.status_code == 302 and "location" not in response.headers
    assert [r["raw_path"] for r in seen] == ["/v3/moved"]


def test_a_slow_api_is_a_504_with_a_json_body(proxy):
    response = httpx.get(f"{proxy.url}/api/slow/slow", timeout=10)

    assert response.status_code == 504 and response.json()["error"] == "upstream_timeout"


def test_an_unreachable_api_is_a_502_with_a_json_body(proxy):
    response = httpx.get(f"{proxy.url}/api/unreachable/accounts", timeout=10)

    assert response.status_code == 502 and response.json()["error"] == "upstream_unreachable"


def test_a_body_over_the_cap_is_refused_before_it_is_read(proxy, seen):
    # Announces 100 MB, sends 1 KB and waits: a proxy that reads before checking never answers.
    answer = raw_request(proxy.port, b"POST /api/getresponse/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
                                     + b"a" * 1024)

    assert answer.startswith(b"HTTP/1.1 413") and seen == []


def test_a_streamed_body_over_the_cap_is_refused(proxy, seen):
    def chunks():
        for _ in range(8):
            yield b"a" * (1 << 19)

    response = httpx.post(f"{proxy.url}/api/getresponse/contacts", content=chunks(),
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 413 and seen == []


@pytest.mark.parametrize("path", ["/", "/api/getresponse/accounts"])
def test_a_host_not_allowed_is_refused(proxy, seen, path):
    rebound = httpx.get(proxy.url + path, headers={"Host": "evil.example"})
    allowed = httpx.get(proxy.url + path, headers={"Host": "app.example.com"})

    assert rebound.status_code == 400 and rebound.json()["error"] == "host_not_allowed"
    assert allowed.status_code == 200
    assert len(seen) == (1 if path.startswith("/api/") else 0)


def test_a_request_with_two_host_headers_is_refused(proxy, seen):
    answer = raw_request(proxy.port, b"GET /api/getresponse/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     b"Host: evil.example\r\nConnection: close\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 400") and seen == []


def test_each_request_is_logged_in_one_line_without_its_query(proxy, caplog):
    with caplog.at_level(logging.INFO, logger="implicitflow.server"):
        httpx.get(f"{proxy.url}/api/getresponse/accounts?access_token=secret-token",
                  headers={"Authorization": "Bearer secret-token"})

    [line] = [r.getMessage() for r in caplog.records if r.name == "implicitflow.server"]
    assert line.startswith("200 GET /api/getresponse/accounts ") and "secret-token" not in line
    assert json.dumps(line)
