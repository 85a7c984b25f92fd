"""The API proxy of `implicitflow serve` (and of serve_app, the demo and the benchmark) reaches
the configured API and nothing else, forwards what the API reads from a browser and nothing
more, passes GetResponse's answers through unchanged, and answers only to allowed hosts; the
app's files carry the same headers and caching.

Every test runs twice: against implicitflow_server ("python") and against the deployment
recipe web/deploy/nginx.conf run by the machine's nginx ("nginx"), the file docs/deployment.md
quotes, made runnable by replacing only the machine's parts (listen address, app folder, log
file, the API's address and the root its certificate must chain to; see
implicitflow_testing.harness._nginx_recipe). nginx reaches a stand-in API over TLS with a
certificate for api.getresponse.com, so the recipe's Host, SNI and certificate checks are
the ones tested. Three more copies of the recipe stand for a slow API (its read timeout made
0.5 s: the one setting changed), an unreachable one and one with an untrusted certificate.
Where nginx answers before the recipe is read (an encoded NUL in a path, TRACE, CONNECT, two
Host headers) its own status is checked, not the JSON body.
"""

import asyncio
import gzip
import json
import logging
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from implicitflow_server import SECURITY_HEADERS, ApiProxy, server_app
from implicitflow_testing import ServerThread
from implicitflow_testing.harness._local_tls import TlsServerThread, local_certificates
from implicitflow_testing.harness._nginx_recipe import NginxServer, recipe_server_blocks

MAX_DOMAIN = "acme.getresponse360.com"
RATE_LIMITED = {"httpStatus": 429, "code": 1015, "codeDescription": "Quota reached",
                "message": "The throttling limit has been reached", "moreInfo": "", "uuid": "u",
                "context": {"currentLimit": 80, "timeToReset": "1 seconds"}}


#: Headers an API answer may carry that are not the client's to see or act on at the app's origin.
NOT_PASSED = {"Set-Cookie": "s=1", "Cache-Control": "public, max-age=600", "Access-Control-Allow-Origin": "*",
              "Alt-Svc": 'h3=":443"', "Strict-Transport-Security": "max-age=63072000", "Refresh": "0; url=/",
              "X-Frame-Options": "SAMEORIGIN"}


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
                "X-RateLimit-Reset": "1 seconds", "Retry-After": "1", **NOT_PASSED})
        if path == "/v3/moved":
            return Response(status_code=302, headers={"Location": "/v3/elsewhere"})
        if path == "/v3/slow":
            await asyncio.sleep(3)
        return JSONResponse({"ok": True})


API_HOST = "api.getresponse.com"
APP_JS = b"console.log('app');\n" * 64
HASHED_JS = "main.3f2a9c1b.js"


@dataclass
class Served:
    """A server under test: `url` and `port`; `*_api`: URLs below which the API is slow,
    unreachable, or has a certificate from a root nobody trusts; the Host the API is sent."""

    kind: str
    url: str
    port: int
    upstream_host: str
    slow_api: str
    unreachable_api: str
    untrusted_api: str
    log: Path = None


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """The stand-in API's certificates (for its real name and 127.0.0.1), and another set from
    a root that nothing trusts."""
    folder = tmp_path_factory.mktemp("tls")
    return (local_certificates(folder / "trusted", [API_HOST, "127.0.0.1"]),
            local_certificates(folder / "untrusted", [API_HOST, "127.0.0.1"], label="untrusted"))


@pytest.fixture(scope="module")
def upstream(tls):
    """One stand-in API, over HTTP (for the Python proxy) and over HTTPS with a trusted and an
    untrusted certificate (for nginx, which checks certificates as the recipe says to); the
    trusted one answers only a TLS handshake that names api.getresponse.com (SNI)."""
    api = Upstream()
    trusted, untrusted = tls
    with ServerThread(api.app) as plain, TlsServerThread(api.app, trusted, API_HOST) as secure, \
            TlsServerThread(api.app, untrusted) as unsafe:
        api.url, api.tls_port, api.untrusted_url = plain.url, secure.port, unsafe.url
        yield api


@pytest.fixture(scope="module")
def app_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    (folder / "index.html").write_text("<p>app</p>")
    (folder / "app.js").write_bytes(APP_JS)
    # As the build writes it: beside its file, after it, and not what a server makes per request.
    (folder / "app.js.gz").write_bytes(gzip.compress(APP_JS, compresslevel=1, mtime=1))
    (folder / HASHED_JS).write_text("console.log('hashed');")
    return folder


@pytest.fixture(scope="module", params=["python", "nginx"])
def proxy(request, upstream, tls, app_folder, tmp_path_factory):
    if request.param == "python":
        yield from python_server(upstream, app_folder)
    else:
        yield from nginx_servers(upstream, tls[0], app_folder, tmp_path_factory.mktemp("nginx"))


def python_server(upstream, folder):
    slow = ApiProxy("/api/slow", upstream.url + "/v3", timeout=0.5)
    unreachable = ApiProxy("/api/unreachable", f"http://127.0.0.1:{closed_port()}/v3")
    untrusted = ApiProxy("/api/untrusted", upstream.untrusted_url + "/v3")
    app = server_app(folder, "/api/getresponse", upstream.url + "/v3", x_domain=MAX_DOMAIN,
                     allowed_hosts=["app.example.com"], fallback="index.html",
                     routes=[Mount("/api/slow", app=slow), Mount("/api/unreachable", app=unreachable),
                             Mount("/api/untrusted", app=untrusted)])
    with ServerThread(app) as server:
        yield Served("python", server.url, server.port, upstream.url.removeprefix("http://"),
                     server.url + "/api/slow", server.url + "/api/unreachable",
                     server.url + "/api/untrusted")


def nginx_servers(upstream, certificates, folder, scratch):
    def recipe(api_port, log, **changes):
        return NginxServer(lambda port: recipe_server_blocks(
            port=port, root=folder, log=scratch / log, api_address=f"127.0.0.1:{api_port}",
            api_root_certificate=certificates.root, x_domain=MAX_DOMAIN, **changes))

    untrusted_port = int(upstream.untrusted_url.rsplit(":", 1)[1])
    with recipe(upstream.tls_port, "access.log") as main, \
            recipe(upstream.tls_port, "slow.log", read_timeout="500ms") as slow, \
            recipe(closed_port(), "unreachable.log") as unreachable, \
            recipe(untrusted_port, "untrusted.log") as untrusted:
        yield Served("nginx", main.url, main.port, API_HOST, slow.url + "/api/getresponse",
                     unreachable.url + "/api/getresponse", untrusted.url + "/api/getresponse",
                     log=scratch / "access.log")


@pytest.fixture
def seen(upstream):
    upstream.seen.clear()
    return upstream.seen


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raw_request(port, request):
    """The answer's head and, as far as its Content-Length says, its body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head, end_of_head, body = answer.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length: *(\d+)", head)
            if end_of_head and length and len(body) >= int(length.group(1)):
                break
        return answer


@pytest.mark.parametrize("path", ["..%2F..%2Fv4%2Fsecret", "..%2f..%2fsecret", "%2E%2E/%2E%2E/secret",
                                  "accounts%2F..%2F..%2Fsecret", "./..%2Fsecret", "accounts%5C..%5Csecret",
                                  "a\\..\\..\\secret", "accounts//x", "%00", "a%0d%0aHost:%20x"])
def test_a_path_that_could_leave_the_api_is_refused_before_it_is_sent(proxy, seen, path):
    response = httpx.get(f"{proxy.url}/api/getresponse/{path}")

    if proxy.kind == "nginx" and path == "%00":
        assert response.status_code == 400  # nginx refuses to decode a NUL, before any config
    else:
        assert response.status_code == 404 and response.json()["error"] == "not_an_api_path"
    assert seen == []


@pytest.mark.parametrize("path", ["", "accounts/", "./accounts", "../getresponse/accounts", "accounts/..",
                                  "accounts/%2e", "%2e%2e/getresponse/accounts", "accounts%7f",
                                  "accounts%1b"])
def test_a_path_sent_as_written_is_refused_before_it_is_sent(proxy, seen, path):
    # A raw request: an HTTP client would resolve the dot segments before sending them.
    answer = raw_request(proxy.port, f"GET /api/getresponse/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Connection: close\r\n\r\n".encode())

    assert answer.startswith(b"HTTP/1.1 404 ") and b'"not_an_api_path"' in answer
    assert seen == []


def test_a_path_is_sent_below_the_api_base_segment_by_segment(proxy, seen):
    response = httpx.get(f"{proxy.url}/api/getresponse/contacts/@evil.example/a%20b"
                         "?query[email]=x%40y&page=2")

    assert response.status_code == 200
    [request] = seen
    assert request["raw_path"] == "/v3/contacts/@evil.example/a%20b"
    assert request["query"] == "query[email]=x%40y&page=2"


def test_an_absolute_form_target_cannot_choose_the_host(proxy, seen):
    answer = raw_request(proxy.port, b"GET http://evil.example/api/getresponse/accounts HTTP/1.1\r\n"
                                     b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")

    assert b"evil.example" not in answer
    assert all((r["raw_path"], r["headers"]["host"]) == ("/v3/accounts", proxy.upstream_host) for r in seen)


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "CONNECT", "PROPFIND"])
def test_only_the_apis_methods_are_sent(proxy, seen, method):
    response = httpx.request(method, f"{proxy.url}/api/getresponse/accounts")

    assert response.status_code == 405 and "GET" in response.headers["allow"]
    assert seen == []


def test_only_what_the_api_reads_from_a_browser_is_forwarded(proxy, seen):
    httpx.post(f"{proxy.url}/api/getresponse/contacts", content=b'{"email": "a@b.c"}', headers={
        "Authorization": "Bearer the-token", "Content-Type": "application/json",
        "Accept": "application/json", "Accept-Language": "pl", "X-Time-Zone": "Europe/Warsaw",
        "Cookie": "session=app-cookie",
        "X-Auth-Token": "api-key the-accounts-key", "X-Domain": "someone-else.getresponse360.com",
        "X-Forwarded-For": "10.0.0.1", "Proxy-Authorization": "Basic eDp5", "TE": "trailers",
        "Upgrade": "websocket", "Keep-Alive": "timeout=5", "Referer": "http://127.0.0.1/#access_token=t",
        "Origin": "http://127.0.0.1"})

    [request] = seen
    headers = request["headers"]
    assert headers["authorization"] == "Bearer the-token"
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert headers["accept-language"] == "pl" and headers["x-time-zone"] == "Europe/Warsaw"
    assert request["body"] == '{"email": "a@b.c"}'
    assert headers["x-domain"] == MAX_DOMAIN
    assert headers["host"] == proxy.upstream_host
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
    assert [name for name, value in NOT_PASSED.items() if value in response.headers.get_list(name)] == []
    assert response.headers["cache-control"] == "no-store" and response.headers["x-frame-options"] == "DENY"


def test_a_redirect_from_the_api_is_not_followed(proxy, seen):
    response = httpx.get(f"{proxy.url}/api/getresponse/moved")

    assert response.status_code == 302 and "location" not in response.headers
    assert [r["raw_path"] for r in seen] == ["/v3/moved"]


def test_a_slow_api_is_a_504_with_a_json_body(proxy):
    response = httpx.get(f"{proxy.slow_api}/slow", timeout=10)

    assert response.status_code == 504 and response.json()["error"] == "upstream_timeout"


def test_an_unreachable_api_is_a_502_with_a_json_body(proxy):
    response = httpx.get(f"{proxy.unreachable_api}/accounts", timeout=10)

    assert response.status_code == 502 and response.json()["error"] == "upstream_unreachable"


def test_an_api_whose_certificate_is_not_trusted_is_not_sent_the_call(proxy, seen):
    response = httpx.get(f"{proxy.untrusted_api}/accounts", headers={"Authorization": "Bearer the-token"},
                         timeout=10)

    assert response.status_code == 502 and response.json()["error"] == "upstream_unreachable"
    assert seen == []


def test_a_body_over_the_cap_is_refused_before_it_is_read(proxy, seen):
    # Announces 100 MB, sends 1 KB and waits: a proxy that reads before checking never answers.
    answer = raw_request(proxy.port, b"POST /api/getresponse/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
                                     + b"a" * 1024)

    assert answer.startswith(b"HTTP/1.1 413") and b'"body_too_large"' in answer and seen == []


def test_a_streamed_body_over_the_cap_is_refused(proxy, seen):
    def chunks():
        for _ in range(8):
            yield b"a" * (1 << 19)

    response = httpx.post(f"{proxy.url}/api/getresponse/contacts", content=chunks(),
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 413 and response.json()["error"] == "body_too_large" and seen == []


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
    path = "/api/getresponse/accounts/logged"  # named by no other test's request
    with caplog.at_level(logging.INFO, logger="implicitflow.server"):
        httpx.get(f"{proxy.url}{path}?access_token=secret-token",
                  headers={"Authorization": "Bearer secret-token"})

    if proxy.kind == "python":
        [line] = [r.getMessage() for r in caplog.records if r.name == "implicitflow.server"]
        assert line.startswith(f"200 GET {path} ")
    else:
        [line] = log_lines_naming(proxy.log, path)
        assert f' 200 "GET {path}" ' in line
    assert "secret-token" not in line
    assert json.dumps(line)


def log_lines_naming(log, path, wait=2.0):
    """nginx's log lines that name `path`: it writes a line just after sending the answer."""
    deadline = time.monotonic() + wait
    while path not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    return [line for line in log.read_text().splitlines() if path in line]


def test_a_path_naming_no_file_is_answered_by_the_apps_page(proxy):
    response = httpx.get(f"{proxy.url}/contacts/42/edit")

    assert response.status_code == 200 and response.text == "<p>app</p>"
    assert response.headers["cache-control"] == "no-cache"


def test_only_a_content_hashed_name_is_cached_for_a_year(proxy):
    hashed = httpx.get(f"{proxy.url}/{HASHED_JS}")
    plain = httpx.get(f"{proxy.url}/app.js")

    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["cache-control"] == "no-cache"


def test_a_client_that_accepts_gzip_is_sent_the_builds_precompressed_copy(proxy, app_folder):
    with httpx.stream("GET", f"{proxy.url}/app.js", headers={"Accept-Encoding": "gzip"}) as response:
        sent = b"".join(response.iter_raw())
    plain = httpx.get(f"{proxy.url}/app.js", headers={"Accept-Encoding": "identity"})

    assert response.headers["content-encoding"] == "gzip"
    assert sent == (app_folder / "app.js.gz").read_bytes()
    assert "content-encoding" not in plain.headers and plain.content == APP_JS


@pytest.mark.parametrize("path, host", [("/", "127.0.0.1"), ("/app.js", "127.0.0.1"),
                                        ("/api/getresponse/accounts", "127.0.0.1"),
                                        ("/api/getresponse/..%2Fsecret", "127.0.0.1"),
                                        ("/api/getresponse/rate-limited", "127.0.0.1"),
                                        ("/", "evil.example")])
def test_every_answer_carries_the_security_headers(proxy, path, host):
    response = httpx.get(proxy.url + path, headers={"Host": host})

    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
