"""A static file server for web/dist, as a deployment would run it: validators and gzip."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles


def static_app(directory, routes=()):
    """Files under `directory` (index.html for folders), with ETag/Last-Modified and gzip.

    `routes` come first, so an app can add e.g. an API proxy beside its files.
    """
    files = StaticFiles(directory=str(Path(directory)), html=True)
    return Starlette(
        routes=[*routes, Mount("/", app=files)],
        middleware=[Middleware(GZipMiddleware, minimum_size=512)],
    )
