"""A static file server for web/dist, as a deployment would run it: validators and gzip, the
gzip read from the `NAME.gz` the build wrote beside a file rather than compressed per request,
and, where asked, the app's page for every path that names no file."""

import mimetypes
from pathlib import Path

import anyio

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse
from starlette.routing import Mount
from starlette.staticfiles import NotModifiedResponse, StaticFiles


class PrecompressedFiles(StaticFiles):
    """StaticFiles that answers a gzip-accepting client with `NAME.gz`, when one exists and is
    not older than NAME; with a `fallback` file, that file answers every path that is none."""

    def __init__(self, *, fallback=None, **options):
        super().__init__(**options)
        self.fallback = fallback

    async def get_response(self, path, scope):
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or self.fallback is None:
                raise
        # What single-page apps are hosted behind: nginx's `try_files $uri $uri/ /index.html`,
        # Netlify's and Vercel's rewrites, Express's `*`. Pages must then survive any path,
        # such as "//evil.example/", which is a link to another site if used as a URL alone.
        full_path, stat_result = await anyio.to_thread.run_sync(self.lookup_path, self.fallback)
        return self.file_response(full_path, stat_result, scope)

    def file_response(self, full_path, stat_result, scope, status_code=200):
        packed = Path(str(full_path) + ".gz")
        request_headers = Headers(scope=scope)
        # The same test as Starlette's GZipMiddleware, which compresses the other files. A copy
        # older than its file is stale (the file was edited or replaced since): never sent. The
        # second of slack is for copies of the pair (cp, pip), made in either order at once.
        if not ("gzip" in request_headers.get("accept-encoding", "") and packed.is_file()
                and packed.stat().st_mtime > stat_result.st_mtime - 1):
            return super().file_response(full_path, stat_result, scope, status_code)
        response = FileResponse(
            packed, status_code=status_code, stat_result=packed.stat(),
            media_type=mimetypes.guess_type(str(full_path))[0] or "text/plain",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


def static_app(directory, routes=(), fallback=None):
    """Files under `directory` (index.html for folders), with ETag/Last-Modified and gzip.

    `routes` come first, so an app can add e.g. an API proxy beside its files. `fallback`, a
    file's path in `directory` such as "index.html", answers every path that names no file.
    """
    files = PrecompressedFiles(directory=str(Path(directory)), html=True, fallback=fallback)
    return Starlette(
        routes=[*routes, Mount("/", app=files)],
        middleware=[Middleware(GZipMiddleware, minimum_size=512)],
    )
