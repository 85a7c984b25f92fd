"""One ASGI app for a single-page app in production: its files, its same-origin GetResponse
API proxy, the Host names it answers to, the security headers its pages carry, and one log
line per request."""

import logging
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount

from ._api_proxy import GETRESPONSE_API, ApiProxy
from ._hosts import HostAllowList
from ._static_files import HASHED_NAME, PrecompressedFiles

logger = logging.getLogger("implicitflow.server")

#: Sent with every answer unless the app says otherwise (`headers=`, `--header`). None of them
#: can break a page: a Content-Security-Policy that allows only the app's scripts must list
#: them (and Brython needs 'unsafe-eval'), so it is the app's to write; this one only forbids
#: framing. `no-referrer`: no URL of the app, whatever it holds, leaves with a request.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class ServerApp:
    """ASGI app: `api_path`/* to the API proxy, everything else to the files (and `routes`)."""

    def __init__(self, files, proxy, allowed_hosts, headers, mounted_proxies=()):
        self.proxy = proxy
        self._proxies = [p for p in (proxy, *mounted_proxies) if p is not None]
        self._files = files
        self._headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                         for name, value in headers.items() if value]
        self._guarded = HostAllowList(self._dispatch, allowed_hosts)
        self.allowed_hosts = self._guarded.hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._logged(scope, receive, send)
        else:
            await self._files(scope, receive, send)

    async def _logged(self, scope, receive, send):
        started, status = time.perf_counter(), 0

        async def send_with_headers(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                present = {name.lower() for name, _ in message["headers"]}
                extra = [header for header in self._headers if header[0] not in present]
                message = {**message, "headers": [*message["headers"], *extra]}
            await send(message)

        try:
            await self._guarded(scope, receive, send_with_headers)
        finally:
            if logger.isEnabledFor(logging.INFO):
                # The path only: a query string can carry what a log must not hold.
                logger.info("%s %s %s %.1f ms", status, scope["method"], scope["path"][:512],
                            (time.perf_counter() - started) * 1000)

    async def _dispatch(self, scope, receive, send):
        if self.proxy is not None and self.proxy.handles(scope):
            await self.proxy(scope, receive, send)
        else:
            await self._files(scope, receive, send)

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for proxy in self._proxies:
                    await proxy.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def server_app(directory, api_path="/api/getresponse", upstream=GETRESPONSE_API, x_domain=None,
               allowed_hosts=(), headers=None, fallback=None, immutable=HASHED_NAME, routes=()):
    """The app's files under `directory` and `api_path`/* proxied to `upstream`/*.

    `x_domain`: GetResponse MAX's custom domain, sent with every API call. `allowed_hosts`:
    Host names answered besides loopback ones. `headers`: security headers, each replacing or
    (with an empty value) removing one of `SECURITY_HEADERS`. `fallback`: a file ("index.html")
    that answers every path naming no file. `immutable`: a compiled pattern of the file names
    cached for a year (default: a hex content hash in the name). `routes`: Starlette routes
    served before the files. `api_path=None` serves files only.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"the app folder {str(folder)!r} is not a folder")
    proxy = None if api_path is None else ApiProxy(api_path, upstream, x_domain)
    files = PrecompressedFiles(directory=str(folder), html=True, fallback=fallback,
                               immutable=immutable)
    site = Starlette(routes=[*routes, Mount("/", app=files)],
                     middleware=[Middleware(GZipMiddleware, minimum_size=512)])
    chosen = {name.lower(): value for name, value in {**SECURITY_HEADERS, **(headers or {})}.items()}
    mounted = [route.app for route in routes if isinstance(getattr(route, "app", None), ApiProxy)]
    return ServerApp(site, proxy, allowed_hosts, chosen, mounted)
