"""Who may talk to the mock: it runs on a person's machine while they browse the web.

Two attacks reach a server on 127.0.0.1 from an ordinary web page. DNS rebinding: a page on
evil.example re-points its own name at 127.0.0.1 and then reads the mock as a same-origin
resource, with `Host: evil.example`; so every request must name an allowed host. Cross-site
requests: any page can send a form POST or a `no-cors` fetch to 127.0.0.1 (it cannot read the
answer, but the request acts); so the controls and the consent decision accept a browser's
request only from an allowed Origin, and the controls accept only `application/json`, a type a
cross-site page cannot send without a CORS preflight that the mock never grants.
"""

from urllib.parse import urlsplit

# The same Host rule as implicitflow serve's: one reading of a Host header for both servers.
from implicitflow_server._hosts import allowed_host_names, host_name


class AccessPolicy:
    """The Host names the mock answers to and the browser Origins it takes orders from."""

    def __init__(self, allowed_hosts=(), allowed_origins=()):
        self.hosts = allowed_host_names(allowed_hosts)
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
