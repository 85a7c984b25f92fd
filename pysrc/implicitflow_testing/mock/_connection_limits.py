"""What one connection may make the mock hold, enforced before a request reaches the app.

uvicorn's httptools protocol reads headers without a size limit or a deadline: a client can send
megabytes of header, or one byte every few seconds (slowloris), and the server keeps it all. This
subclass caps the header bytes of each request, closes a connection whose headers or body do not
arrive in time, and caps open connections (closing one that is waiting on its client first, so
abusers cannot lock out a test suite). Bodies are capped in the app, while they stream
(`read_limited`).

A deadline is armed only when a request does not arrive whole in one read (and once for a new
connection), so ordinary traffic pays for no timer.

A request's header bytes are counted from where it began, also when it begins in the same read as
the end of the request before it (a client may pipeline: send the next request before the answer
to the last one). httptools tells no offsets, so where a request began is reckoned from the least
the requests before it can have taken; it is counted long, never short.
"""

from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class Limits:
    """Resource limits of one mock server; every one can be changed when it starts.

    The `max_*` counts of what the mock remembers bound it under any load: past one, the oldest
    entry is forgotten first (see MockState), and a forgotten token or code is answered as one
    the mock never issued.
    """

    max_header_bytes: int = 16384  # request line and headers of one request
    max_body_bytes: int = 65536  # any request body (form, JSON)
    header_timeout: float = 10.0  # seconds for a request's headers, or its body, to arrive
    max_connections: int = 512  # open at once; above it, those waiting on a client are closed
    max_tokens: int = 50000  # access tokens remembered; the first issued are forgotten first
    max_refresh_tokens: int = 50000  # refresh tokens; the least recently issued go first
    max_codes: int = 10000  # authorization codes not yet redeemed nor expired
    max_rate_buckets: int = 1024  # rate-limit counts (account, MAX domain); least recent first


def _plain_answer(status_line, message):
    body = message.encode()
    return (f"HTTP/1.1 {status_line}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


HEADERS_TOO_LARGE = _plain_answer("431 Request Header Fields Too Large",
                                  "The request line and headers are too large")
TOO_SLOW = _plain_answer("408 Request Timeout", "The request did not arrive in time")


async def headers_too_large(scope, receive, send):
    await send({"type": "http.response.start", "status": 431, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b"The request line and headers are too large"})


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with `Limits`; `limits` is set on a subclass per server."""

    limits = Limits()

    def connection_made(self, transport):
        super().connection_made(transport)
        self._awaiting_headers = True
        self._received = 0  # bytes read on this connection
        self._request_start = None  # where the request whose headers are awaited began, at least
        self._after_request = 0  # where a request completed in this read ended, at least
        self._request_head = self._request_body = 0  # the fewest bytes of the current request
        self._refusal = None  # an answer owed once the requests before it are answered
        self._deadline = None
        self._waiting_since = self.loop.time()
        if len(self.connections) > self.limits.max_connections:
            self._make_room()
        self._arm_deadline()  # a connection that never sends a byte

    def _make_room(self):
        """Close the connection that has waited longest on its client, else this new one."""
        waiting = [c for c in self.connections
                   if c is not self and (c._awaiting_headers or c._deadline is not None)]
        victim = min(waiting, key=lambda c: c._waiting_since, default=self)
        victim.transport.close()

    def _arm_deadline(self):
        self._waiting_since = self.loop.time()
        self._deadline = self.loop.call_later(self.limits.header_timeout, self._too_slow)

    def _cancel_deadline(self):
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self):
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._awaiting_headers and self._request_start is not None:
            return self._refuse(TOO_SLOW)
        if not self._awaiting_headers and not self.cycle.response_started:
            self.transport.write(TOO_SLOW)  # its body is late
        self.transport.close()

    def _refuse(self, answer):
        """Answer and close: at once, or once the requests pipelined before this one are
        answered (reading no more meanwhile), so that each answer goes to its own request."""
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(answer)
            self.transport.close()
        else:
            self._refusal = answer
            self.flow.pause_reading()

    def data_received(self, data):
        if self._refusal is not None:
            return
        self._after_request = self._received
        if self._awaiting_headers and self._request_start is None:
            self._request_start = self._received  # what arrives now is the next request's
        self._received += len(data)
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._awaiting_headers and self._request_start is not None:
            if self._received - self._request_start > self.limits.max_header_bytes:
                self._refuse(HEADERS_TOO_LARGE)
            elif self._deadline is None:
                self._arm_deadline()  # headers cut across reads
        elif not self._awaiting_headers and self.cycle.more_body and self._deadline is None:
            self._arm_deadline()  # a body cut across reads

    def on_message_begin(self):
        self._request_start = self._after_request
        self._request_body = 0
        super().on_message_begin()

    def on_headers_complete(self):
        self._awaiting_headers = False
        self._cancel_deadline()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        # The fewest bytes such a head takes: "M U\r\n", then "N:V\r\n" a header.
        self._request_head = size - len(self.headers) + len(self.parser.get_method()) + 3
        if size <= self.limits.max_header_bytes:
            return super().on_headers_complete()
        # Headers that arrived whole in one read: answered by a stand-in app, not the mock's.
        app, self.app = self.app, headers_too_large
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def on_body(self, body):
        self._request_body += len(body)
        super().on_body(body)

    def on_message_complete(self):
        super().on_message_complete()
        end = self._request_start + self._request_head + self._request_body
        self._after_request = max(self._after_request, end)
        self._request_start = None
        self._awaiting_headers = True
        self._cancel_deadline()

    def on_response_complete(self):
        if self._refusal is not None and not self.pipeline and not self.transport.is_closing():
            self.transport.write(self._refusal)
            self.transport.close()
        # Answered before its body finished arriving (413, a route that reads no body): uvicorn
        # drops the rest as it arrives, holding none of it; closing at once instead would make
        # the client's kernel report a reset rather than the answer. The rest gets a deadline.
        if self.cycle.more_body and not self.transport.is_closing():
            self._cancel_deadline()
            self._arm_deadline()
        super().on_response_complete()

    def connection_lost(self, exc):
        self._cancel_deadline()
        super().connection_lost(exc)


def limited_protocol(limits: Limits):
    """The protocol class uvicorn should build for a server with these limits."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})


def drain_limit(limit):
    """How much of a too-large body is read and dropped before answering 413. A server that
    answers and closes while the client still sends makes the client's kernel see a reset
    instead of the answer; reading a little more lets ordinary clients read the 413."""
    return max(1 << 20, 4 * limit)


async def read_limited(receive, limit):
    """A request body from an ASGI `receive`, refused once it passes `limit` bytes.

    Returns the bytes; None when the body is too large (having dropped up to `drain_limit(limit)`
    bytes of it); raises ConnectionError when the client went away before it was whole.
    """
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("the client went away before its body was whole")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > drain_limit(limit):
            return None
        if not message.get("more_body", False):
            return b"".join(chunks) if size <= limit else None
