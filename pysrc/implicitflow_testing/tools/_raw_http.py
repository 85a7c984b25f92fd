"""A bare HTTP/1.1 keep-alive client on asyncio streams, for load generation only.

httpx spends more CPU per request than the mock does to answer it, so under
load it measures itself. This speaks just enough HTTP/1.1 for the mock:
Content-Length bodies on one persistent connection.
"""

import asyncio
import re

_CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")
_LOCATION = re.compile(rb"(?i)\r\nlocation: *([^\r]*)")


class RawConnection:
    def __init__(self, reader, writer):
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, port, host="127.0.0.1"):
        return cls(*await asyncio.open_connection(host, port))

    async def request(self, method, target, headers=(), body=b""):
        """(status, location header or None, body bytes)."""
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers)]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        length = _CONTENT_LENGTH.search(head)
        content = await self._reader.readexactly(int(length.group(1))) if length else b""
        location = _LOCATION.search(head)
        return (int(head[9:12]), location.group(1).decode("latin-1") if location else None, content)

    def close(self):
        self._writer.close()
