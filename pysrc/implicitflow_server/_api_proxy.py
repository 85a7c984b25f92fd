"""A same-origin proxy to the GetResponse API, as every browser app needs one.

The real API sends no CORS headers, so a page can only call it through its own origin. The
proxy reaches nothing but the API: the path is rebuilt segment by segment below the API base,
so no `..`, encoded slash or backslash climbs out of it, and the host is never the client's
to choose. It forwards what the API reads from a browser (a Bearer token, content
negotiation) and nothing a browser holds for the app's own origin (cookies) or must never
send (an `X-Auth-Token` API key); MAX's `X-Domain` comes from the server's configuration.
GetResponse's answer passes through unchanged: status, error body, rate-limit headers.
"""

import json
import time
from urllib.parse import quote, unquote_to_bytes

import aiohttp
from yarl import URL

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
PASSED_RESPONSE_HEADERS = frozenset({"content-type", "x-ratelimit-limit", "x-ratelimit-remaining",
                                     "x-ratelimit-reset", "retry-after", "totalcount",
                                     "totalpages", "currentpage", "www-authenticate"})
MAX_BODY_BYTES = 1 << 20
#: A client's answer is held whole before it is sent on; GetResponse's largest pages are
#: well below this.
MAX_ANSWER_BYTES = 32 << 20
TIMEOUT_SECONDS = 30.0


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


async def read_answer(answer):
    chunks, size = [], 0
    async for chunk in answer.content.iter_any():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ProxyRefusal(502, "upstream_answer_too_large",
                               "The API's answer is larger than this proxy passes on")
        chunks.append(chunk)
    return b"".join(chunks)


def forwarded_headers(scope, x_domain):
    headers = {}
    declared_length = None
    for name, value in scope["headers"]:
        if name in FORWARDED_REQUEST_HEADERS:
            headers[name.decode("latin-1")] = value.decode("latin-1")
        elif name == b"authorization" and value[:7].lower() == b"bearer ":
            headers["authorization"] = value.decode("latin-1")
        elif name == b"content-length":
            declared_length = value
    if declared_length is not None and (not declared_length.isdigit()
                                        or int(declared_length) > MAX_BODY_BYTES):
        raise ProxyRefusal(413, "body_too_large",
                           f"Request bodies are limited to {MAX_BODY_BYTES} bytes")
    if x_domain:
        headers["x-domain"] = x_domain
    return headers


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
        self.x_domain = x_domain
        self.timeout = timeout
        self._session = None

    def handles(self, scope):
        return scope.get("raw_path", b"").startswith(self.prefix)

    def _client(self):
        # Made on first use, in the event loop that serves requests, and kept: a connection
        # per request to an https API costs a TLS handshake each time.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                skip_auto_headers=("User-Agent",), cookie_jar=aiohttp.DummyCookieJar())
        return self._session

    async def close(self):
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        url = self.upstream + "/" + path
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        started = time.monotonic()
        try:
            async with self._client().request(method, URL(url, encoded=True), headers=headers,
                                              data=body or None, allow_redirects=False) as answer:
                content = await read_answer(answer)
                kept = [(name.lower().encode("latin-1"), value.encode("latin-1", "replace"))
                        for name, value in answer.headers.items()
                        if name.lower() in PASSED_RESPONSE_HEADERS]
                return answer.status, kept, content
        except TimeoutError:
            raise ProxyRefusal(504, "upstream_timeout",
                               f"The API did not answer within {self.timeout:g} s") from None
        except aiohttp.ClientError as error:
            raise ProxyRefusal(502, "upstream_unreachable",
                               f"The API could not be reached ({type(error).__name__}), after "
                               f"{time.monotonic() - started:.1f} s") from None
