"""A same-origin proxy to the GetResponse API, as every browser app needs one.

The real API sends no CORS headers, so a page can only call it through its own origin. The
proxy reaches nothing but the API: the path is rebuilt segment by segment below the API base,
so no `..`, encoded slash or backslash climbs out of it, and the host is never the client's
to choose. It forwards what the API reads from a browser (a Bearer token, content
negotiation) and nothing a browser holds for the app's own origin (cookies) or must never
send (an `X-Auth-Token` API key); MAX's `X-Domain` comes from the server's configuration.
GetResponse's answer passes through unchanged: status, error body, rate-limit headers.

It speaks HTTP/1.1 to the API itself, on connections it keeps (a TLS handshake per call would
cost more than the call), with the response parser uvicorn uses. Measured with
implicitflow_testing.tools.proxy_bench, a call costs the server about 40% less CPU than through
aiohttp's client, whose per-request machinery (sessions, cookie jars, tracing, automatic
headers) a proxy does not use.
"""

import asyncio
import json
import re
import ssl
import time
import zlib
from urllib.parse import quote, unquote_to_bytes, urlsplit

import httptools

GETRESPONSE_API = "https://api.getresponse.com/v3"
MAX_APIS = {"us": "https://api3.getresponse360.com/v3", "pl": "https://api3.getresponse360.pl/v3"}

#: The methods GetResponse's API answers; any other is refused before it leaves.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
#: Request headers the API reads from a browser, forwarded as they are. `Authorization` goes
#: too, but only with the Bearer scheme: a browser never sends the app's client secret.
FORWARDED_REQUEST_HEADERS = frozenset({b"content-type", b"accept", b"accept-language",
                                       b"x-time-zone"})
#: Response headers a client uses: the body's type, GetResponse's rate limits and paging, and
#: the authentication challenge of a 401.
PASSED_RESPONSE_HEADERS = frozenset({b"content-type", b"x-ratelimit-limit", b"x-ratelimit-remaining",
                                     b"x-ratelimit-reset", b"retry-after", b"totalcount",
                                     b"totalpages", b"currentpage", b"www-authenticate"})
MAX_BODY_BYTES = 1 << 20
#: A client's answer is held whole before it is sent on; GetResponse's largest pages are
#: well below this.
MAX_ANSWER_BYTES = 32 << 20
TIMEOUT_SECONDS = 30.0
#: Connections open to the API at once (more calls wait for one), and how long an unused one
#: is kept.
MAX_CONNECTIONS = 100
IDLE_SECONDS = 15.0
#: Methods that may be sent again when a kept connection turns out closed before any answer.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


_LINE_BREAK = re.compile(rb"[\r\n\0]")
_NOT_IN_QUERY = re.compile(rb"[^!-~]|#")


class ProxyRefusal(Exception):
    """A request the proxy does not forward: `status` and a message for the JSON answer."""

    def __init__(self, status, error, message, headers=()):
        super().__init__(message)
        self.status, self.error, self.headers = status, error, list(headers)


def upstream_path(raw_path):
    """`b"contacts/a%20b"` -> "contacts/a%20b": each segment decoded, checked and encoded again.

    Checked after decoding, so `%2e%2e`, `%2F` and `%5C` cannot climb out of the API base or
    add a separator where the browser sent none; what is encoded again is exactly one segment.
    """
    segments = []
    for raw in raw_path.split(b"/"):
        try:
            segment = unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            segment = ""
        if segment in ("", ".", "..") or "/" in segment or "\\" in segment \
                or not segment.isprintable():
            raise ProxyRefusal(404, "not_an_api_path",
                               "The path is not a path of the API: empty, '.', '..', encoded "
                               "slashes, backslashes and control characters are refused")
        segments.append(quote(segment, safe="!$&'()*+,;=:@-._~"))
    return "/".join(segments)


async def read_body(receive, limit):
    """The request body, or a 413 refusal as soon as more than `limit` bytes have arrived."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ProxyRefusal(400, "incomplete_body", "The request body did not arrive whole")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ProxyRefusal(413, "body_too_large", f"Request bodies are limited to {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def forwarded_headers(scope, x_domain):
    """The request's header lines for the API, as bytes."""
    headers = {}
    declared_length = None
    for name, value in scope["headers"]:
        if name in FORWARDED_REQUEST_HEADERS or (name == b"authorization"
                                                 and value[:7].lower() == b"bearer "):
            if not _LINE_BREAK.search(value):  # an ASGI server passes none: it would end the line
                headers[name] = value
        elif name == b"content-length":
            declared_length = value
    if declared_length is not None and (not declared_length.isdigit()
                                        or int(declared_length) > MAX_BODY_BYTES):
        raise ProxyRefusal(413, "body_too_large",
                           f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
    if x_domain:
        headers[b"x-domain"] = x_domain.encode("latin-1")
    return b"".join(name + b": " + value + b"\r\n" for name, value in headers.items())


def query(raw):
    """The query string as the client sent it, any byte that cannot stand in a request line
    percent-encoded (an ASGI server passes none)."""
    return _NOT_IN_QUERY.sub(lambda byte: b"%%%02X" % byte[0][0], raw)


def decoded(body, encoding):
    """A gzip answer's bytes, held to the same cap as any answer."""
    if encoding != b"gzip":
        return body
    try:
        unpacker = zlib.decompressobj(wbits=31)
        content = unpacker.decompress(body, MAX_ANSWER_BYTES + 1)
    except zlib.error:
        raise ProxyRefusal(502, "upstream_unreachable",
                           "The API's answer could not be decompressed") from None
    if len(content) > MAX_ANSWER_BYTES:
        raise ProxyRefusal(502, "upstream_answer_too_large",
                           "The API's answer is larger than this proxy passes on")
    return content


class _Connection(asyncio.Protocol):
    """One kept HTTP/1.1 connection to the API: a request at a time, its answer read by
    httptools (the parser uvicorn uses), within a deadline."""

    def __init__(self):
        self.transport = None
        self.lost = False
        self.received = False  # whether a byte of the answer in flight has arrived
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._answer = None
        self._timer = None

    def connection_made(self, transport):
        self.transport = transport

    def send(self, request, head_only, deadline):
        """The Future of (status, passed headers, body, reusable) for `request`'s bytes; past
        the loop time `deadline` it fails with TimeoutError."""
        loop = asyncio.get_running_loop()
        self._answer = loop.create_future()
        self._timer = loop.call_at(deadline, self._fail, TimeoutError())
        self._head_only, self.received, self._framed = head_only, False, False
        self._status, self._headers, self._chunks, self._size = 0, [], [], 0
        self._encoding = None
        self.transport.write(request)
        return self._answer

    def data_received(self, data):
        self.received = True
        if self._answer is None or self._answer.done():
            self._fail()  # bytes nobody asked for: the connection is out of step
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(error)

    def connection_lost(self, error):
        self.lost = True
        if self._answer is None or self._answer.done():
            return
        if self._status and not self._framed:
            self._complete()  # an answer without a length ends where its connection does
        self._fail(error or ConnectionResetError(
            "The API closed the connection before its answer was complete"))

    def _fail(self, error=None):
        """Ends the connection, and with `error` the answer in flight."""
        if error is not None and self._answer is not None and not self._answer.done():
            self._timer.cancel()
            self._answer.set_exception(error)
        self.lost = True
        self.transport.abort()

    def _complete(self):
        if self._answer.done():
            return
        try:
            body = decoded(b"".join(self._chunks), self._encoding)
        except ProxyRefusal as refusal:
            self._fail(refusal)
            return
        self._timer.cancel()
        reusable = not (self.lost or self._head_only) and self._parser.should_keep_alive()
        self._answer.set_result((self._status, self._headers, body, reusable))

    # httptools' callbacks

    def on_message_begin(self):
        if self._answer.done():
            self._fail()  # a second answer to one request: the connection is out of step

    def on_header(self, name, value):
        name = name.lower()
        if name in PASSED_RESPONSE_HEADERS:
            self._headers.append((name, value))
        elif name == b"content-encoding":
            self._encoding = value.strip().lower()
        elif name in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self):
        self._status = self._parser.get_status_code()
        if self._head_only:  # whatever its Content-Length says, an answer to HEAD has no body
            self._complete()

    def on_body(self, chunk):
        self._size += len(chunk)
        if self._size > MAX_ANSWER_BYTES:
            self._fail(ProxyRefusal(502, "upstream_answer_too_large",
                                    "The API's answer is larger than this proxy passes on"))
        else:
            self._chunks.append(chunk)

    def on_message_complete(self):
        self._complete()


class _Upstream:
    """The API's address, and the connections kept open to it (a TLS handshake per call would
    cost more than the call)."""

    def __init__(self, url):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the API's URL must be http(s)://host[:port]/path, not {url!r}")
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        self.host_header = parts.netloc.rpartition("@")[2].encode("idna")
        self.path = parts.path.rstrip("/")
        self._idle = []
        self._slots = None

    async def exchange(self, method, request, deadline):
        """(status, passed headers, body) of the API's answer to `request`'s bytes, or
        TimeoutError past the loop time `deadline`."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(MAX_CONNECTIONS)
        if self._slots.locked():
            await _until(deadline, self._slots.acquire())
        else:
            await self._slots.acquire()
        try:
            connection = self._kept()
            if connection is not None:
                try:
                    return await self._send(connection, method, request, deadline)
                except OSError:
                    # A kept connection the API closed meanwhile: a call it cannot have read is
                    # sent once more, on a new one.
                    if connection.received or method not in IDEMPOTENT:
                        raise
            connection = await _until(deadline, self._connect())
            return await self._send(connection, method, request, deadline)
        finally:
            self._slots.release()

    def _kept(self):
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if not connection.lost and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.transport.close()
        return None

    async def _connect(self):
        _, connection = await asyncio.get_running_loop().create_connection(
            _Connection, self.host, self.port, ssl=self.tls,
            server_hostname=self.host if self.tls else None)
        return connection

    async def _send(self, connection, method, request, deadline):
        try:
            status, headers, body, reusable = await connection.send(request, method == "HEAD",
                                                                    deadline)
        except BaseException:
            connection.transport.abort()
            raise
        if reusable and not connection.lost:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.transport.close()
        return status, headers, body

    def close(self):
        while self._idle:
            self._idle.pop().transport.close()


async def _until(deadline, awaitable):
    """`awaitable`'s result, or TimeoutError past the loop time `deadline`."""
    async with asyncio.timeout_at(deadline):
        return await awaitable


class ApiProxy:
    """ASGI app: `{prefix}/{path}?{query}` -> `{upstream}/{path}?{query}`.

    `x_domain`: GetResponse MAX's custom domain, sent on every call. `timeout`: seconds to
    wait for the API's whole answer; past it the client gets a 504.
    """

    def __init__(self, prefix, upstream=GETRESPONSE_API, x_domain=None, timeout=TIMEOUT_SECONDS):
        if not prefix.startswith("/") or prefix.rstrip("/") == "":
            raise ValueError(f"api_path must be a path below the site's root such as "
                             f"'/api/getresponse', not {prefix!r}")
        self.prefix = prefix.rstrip("/").encode() + b"/"
        self.upstream = upstream.rstrip("/")
        if x_domain and _LINE_BREAK.search(x_domain.encode("latin-1")):
            raise ValueError(f"x_domain must be a host name, not {x_domain!r}")
        self.x_domain = x_domain
        self.timeout = timeout
        self._api = _Upstream(self.upstream)

    def handles(self, scope):
        return scope.get("raw_path", b"").startswith(self.prefix)

    async def close(self):
        self._api.close()

    async def __call__(self, scope, receive, send):
        try:
            status, headers, body = await self._forward(scope, receive)
        except ProxyRefusal as refusal:
            status, headers, body = refusal.status, refusal.headers, json.dumps(
                {"httpStatus": refusal.status, "error": refusal.error,
                 "message": str(refusal)}).encode()
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"cache-control", b"no-store"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope["method"] == "HEAD" else body})

    async def _forward(self, scope, receive):
        method = scope["method"]
        if method not in METHODS:
            raise ProxyRefusal(405, "method_not_allowed", f"{method} is not a method of the API",
                               [(b"allow", ", ".join(sorted(METHODS)).encode())])
        path = upstream_path(scope["raw_path"][len(self.prefix):])
        headers = forwarded_headers(scope, self.x_domain)
        body = await read_body(receive, MAX_BODY_BYTES)
        target = f"{self._api.path}/{path}".encode()
        if scope["query_string"]:
            target += b"?" + query(scope["query_string"])
        length = b"content-length: %d\r\n" % len(body) if body or method in ("POST", "PUT", "PATCH") else b""
        request = b"%s %s HTTP/1.1\r\nhost: %s\r\naccept-encoding: gzip\r\n%s%s\r\n%s" % (
            method.encode(), target, self._api.host_header, headers, length, body)
        started = time.monotonic()
        try:
            deadline = asyncio.get_running_loop().time() + self.timeout
            return await self._api.exchange(method, request, deadline)
        except TimeoutError:
            raise ProxyRefusal(504, "upstream_timeout",
                               f"The API did not answer within {self.timeout:g} s") from None
        except (OSError, httptools.HttpParserError) as error:
            raise ProxyRefusal(502, "upstream_unreachable",
                               f"The API could not be reached ({type(error).__name__}), after "
                               f"{time.monotonic() - started:.1f} s") from None
