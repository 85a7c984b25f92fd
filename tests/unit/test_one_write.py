"""`implicitflow serve` sends each answer in one write: uvicorn's protocol on a transport
that joins the writes of one event-loop step."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from implicitflow_server._one_write import OneWriteHttpToolsProtocol

REQUEST = b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class RecordingTransport(asyncio.Transport):
    """The socket's side of a transport: what was written, call by call."""

    def __init__(self):
        super().__init__()
        self.writes, self.closed = [], False

    def write(self, data):
        self.writes.append(bytes(data))

    def close(self):
        self.closed = True

    def is_closing(self):
        return self.closed

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


async def answer(app, protocol_class, request=REQUEST):
    config = uvicorn.Config(app, lifespan="off", log_level="warning", proxy_headers=False)
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={},
                              _loop=asyncio.get_running_loop())
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    for _ in range(100):  # until the app has answered every request (the streamed one sleeps)
        await asyncio.sleep(0.002)
    return transport


async def whole_answer(scope, receive, send):
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"5")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def streamed_answer(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"first", "more_body": True})
    await asyncio.sleep(0.01)  # the rest is not ready yet: what is, must not wait for it
    await send({"type": "http.response.body", "body": b"second"})


def run(coroutine):
    # On a thread of its own: after a Playwright test the main thread has a running event loop.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_stock_uvicorn_writes_head_and_body_apart():
    # What the protocol is for: if uvicorn joined them itself, it would have no reason to be.
    transport = run(answer(whole_answer, HttpToolsProtocol))
    assert len(transport.writes) == 2


def test_an_answer_leaves_in_one_write():
    transport = run(answer(whole_answer, OneWriteHttpToolsProtocol))
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and body == b"hello"


def test_a_streamed_answer_is_not_held_back():
    transport = run(answer(streamed_answer, OneWriteHttpToolsProtocol))
    sent = b"".join(transport.writes)
    assert sent.endswith(b"5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n")
    assert len(transport.writes) == 2  # the head with "first", then "second" and the end
    assert transport.writes[0].endswith(b"5\r\nfirst\r\n")


def test_close_sends_what_was_written_first():
    transport = run(answer(whole_answer, OneWriteHttpToolsProtocol,
                           REQUEST.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")))
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].endswith(b"hello")


@pytest.mark.parametrize("pipelined", [2, 3])
def test_pipelined_requests_each_get_their_whole_answer(pipelined):
    transport = run(answer(whole_answer, OneWriteHttpToolsProtocol, REQUEST * pipelined))
    assert b"".join(transport.writes).count(b"HTTP/1.1 200 OK") == pipelined
