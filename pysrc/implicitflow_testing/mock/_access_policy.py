"""Who may talk to the mock: it runs on a person's machine while they browse the web.

Two attacks reach a server on 127.0.0.1 from an ordinary web page. DNS rebinding: a page on
evil.example re-points its own name at 127.0.0.1 and then reads the mock as a same-origin
resource, with `Host: evil.example`; so every request must name an allowed host. Cross-site
requests: any page can send a form POST or a `no-cors` fetch to 127.0.0.1 (it cannot read the
answer, but the request acts); so the controls and the consent decision accept a browser's
request only from an allowed Origin, and the controls accept only `application/json`, a type a
cross-site page cannot send without a CORS preflight that the mock never grants.
"""

from functools import lru_cache
from urllib.parse import urlsplit

#: Loopback names and addresses, any port: the mock's default audience.
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


class AccessPolicy:
    """The Host names the mock answers to and the browser Origins it takes orders from."""

    def __init__(self, allowed_hosts=(), allowed_origins=()):
        extra = {host_name(host) or host.lower() for host in allowed_hosts}
        self.hosts = LOOPBACK_HOSTS | extra
        self.origins = frozenset(origin.rstrip("/").lower() for origin in allowed_origins)

    def host_allowed(self, host_header):
        return host_header is not None and host_name(host_header) in self.hosts

    def origin_allowed(self, origin):
        """No Origin (not a browser, or a same-origin GET) is fine; "null" (a sandboxed or
        privacy-sensitive context) is not, since it can be anyone."""
        if origin is None:
            return True
        origin = origin.rstrip("/").lower()
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and host_name(parts.netloc) in self.hosts
