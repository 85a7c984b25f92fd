"""The Host names a server answers to.

A server on a person's machine or behind a proxy is reachable by DNS rebinding: a page on
evil.example re-points its own name at the server's address and then reads it as a
same-origin resource, with `Host: evil.example`. Naming the hosts a server answers to closes
that. A request with two Host headers is refused too (RFC 9112 3.2): parts of a stack that
read different ones disagree about where it goes.
"""

import json
from functools import lru_cache
from urllib.parse import urlsplit

#: Loopback names and addresses, any port: what a server answers to unless told more.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


@lru_cache(maxsize=256)  # the same few Host values arrive on every request
def host_name(authority):
    """'Example.COM:9400' -> 'example.com', '[::1]:9400' -> '::1'; None if it cannot be read,
    or if it is more than a host and a port (a Host header has no user part or path)."""
    if any(character in authority for character in "@/\\?#"):
        return None
    try:
        name = urlsplit("//" + authority).hostname
    except ValueError:
        return None
    return name.rstrip(".") if name else None


def allowed_host_names(allowed_hosts=()):
    """Loopback names plus `allowed_hosts` ("app.example.com", "app.example.com:443")."""
    return LOOPBACK_HOSTS | {host_name(host) or host.lower() for host in allowed_hosts}


class HostAllowList:
    """ASGI middleware: answers 400 to a request whose one Host header names no allowed host."""

    def __init__(self, app, allowed_hosts=()):
        self.app = app
        self.hosts = allowed_host_names(allowed_hosts)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            hosts = [value for name, value in scope["headers"] if name == b"host"]
            if len(hosts) != 1 or host_name(hosts[0].decode("latin-1")) not in self.hosts:
                await refuse(send, len(hosts))
                return
        await self.app(scope, receive, send)


async def refuse(send, host_count):
    reason = ("The request has more than one Host header" if host_count > 1 else
              "The Host header names no host this server answers to (loopback names, and the "
              "names given with --allow-host or allowed_hosts=[...])")
    body = json.dumps({"error": "host_not_allowed", "message": reason}).encode()
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
