"""`implicitflow serve`'s HTTP protocol: uvicorn's own, with each answer sent in one write.

uvicorn writes an answer's head and its body with two `transport.write` calls, and the event
loop sends each at once: two system calls and two TCP segments per answer, although a client
can use nothing before the body has come. On a loopback or LAN link the sender pays for each
segment's whole journey, so this is a third of what the API proxy spends on a call (measured
with implicitflow_testing.tools.proxy_bench). Here the writes made in one step of the event
loop leave together at its end, as Nagle's algorithm would join them but without its wait;
an answer streamed over several steps still leaves step by step.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class OneWriteTransport:
    """A transport whose writes within one event-loop step are sent as one."""

    def __init__(self, transport, loop):
        self._transport = transport
        self._loop = loop
        self._pending = []

    def write(self, data):
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._send)
        self._pending.append(data)

    def _send(self):
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self):
        self._send()  # what was written before close() is sent, as by any transport
        self._transport.close()

    def __getattr__(self, name):
        return getattr(self._transport, name)


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `OneWriteTransport` (pass as `uvicorn.run(http=...)`)."""

    def connection_made(self, transport):
        super().connection_made(OneWriteTransport(transport, self.loop))
