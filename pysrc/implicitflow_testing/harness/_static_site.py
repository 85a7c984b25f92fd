"""A static file server for web/dist, as a deployment would run it: validators and gzip, the
gzip read from the `NAME.gz` the build wrote beside a file rather than compressed per request."""

import mimetypes
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse
from starlette.routing import Mount
from starlette.staticfiles import NotModifiedResponse, StaticFiles


class PrecompressedFiles(StaticFiles):
    """StaticFiles that answers a gzip-accepting client with `NAME.gz`, when one exists and is
    not older than NAME."""

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


def static_app(directory, routes=()):
    """Files under `directory` (index.html for folders), with ETag/Last-Modified and gzip.

    `routes` come first, so an app can add e.g. an API proxy beside its files.
    """
    files = PrecompressedFiles(directory=str(Path(directory)), html=True)
    return Starlette(
        routes=[*routes, Mount("/", app=files)],
        middleware=[Middleware(GZipMiddleware, minimum_size=512)],
    )
