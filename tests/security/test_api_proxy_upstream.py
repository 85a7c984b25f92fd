"""The API proxy's side of its connections to the API: kept and reused, and whatever the API
does with them (HEAD, gzip, chunks, an answer ended by closing, a kept connection closed, an
answer too large or not HTTP), the client gets the API's answer or a JSON 502, never a hang or
a request sent twice that the API may have read."""

import asyncio
import gzip
import threading

import httpx
import pytest

from implicitflow_server import ApiProxy, _api_proxy, server_app
from implicitflow_testing import ServerThread
from tests.mock.helpers import run_async

BODY = b'{"accountId": "Vp", "email": "a@example.com"}'


class ScriptedApi:
    """A raw HTTP/1.1 server on a thread of its own: `answers[path]` gives the bytes to send
    for a request (None: close without answering); it records each request with the number of
    the connection it came on, and counts the connections closed."""

    def __init__(self, answers):
        self.answers = answers
        self.seen, self.heads = [], []
        self.connections = self.closed = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _connection(self, reader, writer):
        self.connections += 1
        number = self.connections
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target = head.split(b" ", 2)[:2]
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                path = target.decode().split("?")[0]
                self.seen.append((number, method.decode(), path))
                self.heads.append(head)
                answer = self.answers[path]
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer.lower():
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        self.closed += 1
        writer.close()

    def __enter__(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc_info):
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _stop(self):
        self._server.close()
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()


def answer(status="200 OK", headers=(), body=BODY, length=True):
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


ANSWERS = {
    "/v3/accounts": answer(),
    "/v3/head": answer(headers=["X-RateLimit-Remaining: 7", f"Content-Length: {len(BODY)}"], length=False,
                       body=b""),
    "/v3/gzip": answer(headers=["Content-Encoding: gzip"], body=gzip.compress(BODY)),
    "/v3/chunked": answer(headers=["Transfer-Encoding: chunked"], length=False,
                          body=b"10\r\n" + BODY[:16] + b"\r\n" + b"%x\r\n" % (len(BODY) - 16)
                          + BODY[16:] + b"\r\n0\r\n\r\n"),
    "/v3/until-close": answer(headers=["Connection: close"], length=False),
    "/v3/no-content": b"HTTP/1.1 204 No Content\r\n\r\n",
    "/v3/closes": None,
    "/v3/big": answer(body=b"[" + b"1," * 600 + b"1]"),
    "/v3/not-http": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
}


@pytest.fixture(scope="module")
def api():
    with ScriptedApi(ANSWERS) as scripted:
        yield scripted


@pytest.fixture
def proxy(api, tmp_path):
    (tmp_path / "index.html").write_text("<p>app</p>")
    with ServerThread(server_app(tmp_path, "/api/getresponse", f"http://127.0.0.1:{api.port}/v3")) as server:
        api.seen.clear()
        api.heads.clear()
        yield server.url + "/api/getresponse"


def test_calls_one_after_another_reuse_one_connection(proxy, api):
    with httpx.Client() as client:
        statuses = [client.get(f"{proxy}/accounts").status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert len({number for number, _, _ in api.seen}) == 1


def test_an_answer_to_head_has_no_body_and_the_next_call_is_answered(proxy, api):
    head = httpx.head(f"{proxy}/head")
    after = httpx.get(f"{proxy}/accounts", timeout=5)

    assert head.status_code == 200 and head.content == b""
    assert head.headers["x-ratelimit-remaining"] == "7"
    assert after.status_code == 200 and after.content == BODY


@pytest.mark.parametrize("path", ["gzip", "chunked", "until-close"])
def test_an_answer_is_passed_whole_and_decoded_however_it_was_sent(proxy, path):
    response = httpx.get(f"{proxy}/{path}", headers={"Accept-Encoding": "identity"}, timeout=5)

    assert response.status_code == 200 and response.content == BODY
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(BODY))


def test_an_answer_without_content_passes(proxy):
    response = httpx.delete(f"{proxy}/no-content", timeout=5)

    assert response.status_code == 204 and response.content == b""


def test_a_post_the_api_may_have_read_is_not_sent_again(proxy, api):
    httpx.get(f"{proxy}/accounts")  # a kept connection, which the API then closes on the POST
    response = httpx.post(f"{proxy}/closes", content=b"{}", timeout=5)

    assert response.status_code == 502 and response.json()["error"] == "upstream_unreachable"
    assert [method for _, method, path in api.seen if path == "/v3/closes"] == ["POST"]


def test_a_kept_connection_the_api_closed_is_not_used_again(proxy, api):
    httpx.get(f"{proxy}/until-close")  # the API closes this connection after its answer
    response = httpx.get(f"{proxy}/accounts", timeout=5)

    assert response.status_code == 200 and response.content == BODY
    assert len({number for number, _, _ in api.seen}) == 2


def test_an_answer_over_the_cap_is_a_502(proxy, monkeypatch):
    monkeypatch.setattr(_api_proxy, "MAX_ANSWER_BYTES", 1000)

    response = httpx.get(f"{proxy}/big", timeout=5)

    assert response.status_code == 502 and response.json()["error"] == "upstream_answer_too_large"


def test_an_answer_that_is_not_http_is_a_502(proxy):
    response = httpx.get(f"{proxy}/not-http", timeout=5)

    assert response.status_code == 502 and response.json()["error"] == "upstream_unreachable"


async def call(proxy, query=b"", headers=()):
    """The status of a GET of /accounts sent to `proxy` as an ASGI server would."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    await proxy({"type": "http", "method": "GET", "raw_path": b"/api/getresponse/accounts",
                 "query_string": query, "headers": list(headers)}, receive, send)
    return sent[0]["status"]


def test_what_no_http_server_passes_on_cannot_reach_the_api_either(api):
    # Line breaks in a header value, a space or a "#" in a query: an ASGI app behind another
    # server, or called directly, still sends one well-formed request line and header block.
    proxy = ApiProxy("/api/getresponse", f"http://127.0.0.1:{api.port}/v3")
    api.heads.clear()

    status = run_async(call(proxy, b"a= b#c\xc3\xa9", [(b"accept", b"x\r\nX-Injected: 1"),
                                                        (b"accept-language", b"pl")]))

    assert status == 200
    [head] = api.heads
    assert head.startswith(b"GET /v3/accounts?a=%20b%23c%C3%A9 HTTP/1.1\r\n")
    assert b"x-injected" not in head.lower() and b"accept-language: pl\r\n" in head
    with pytest.raises(ValueError):
        ApiProxy("/api/getresponse", x_domain="acme.getresponse360.com\r\nX-Injected: 1")


def test_the_kept_connections_are_closed_when_the_app_stops(api):
    proxy = ApiProxy("/api/getresponse", f"http://127.0.0.1:{api.port}/v3")

    async def call_then_stop():
        status = await call(proxy)
        closed_before = api.closed
        await proxy.close()
        for _ in range(100):
            if api.closed > closed_before:
                return status
            await asyncio.sleep(0.02)
        return "still open"

    assert run_async(call_then_stop()) == 200
