"""An app's files as a production server sends them: validators, the Brotli or gzip read from
the `NAME.br` or `NAME.gz` the build wrote beside a file rather than compressed per request,
long-lived caching only for names that change with their content, and, where asked, the app's
page for every path that names no file."""

import functools
import gzip
import mimetypes
import os
import re
import stat
import zlib
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse
from starlette.staticfiles import NotModifiedResponse, StaticFiles

#: A name that carries its content's hash, as bundlers write them (`main.3f2a9c1b.js`,
#: `app-5d41402abc4b2a76.css`): hex, at least 8 digits, at least one of them a number.
HASHED_NAME = re.compile(r"[.-](?=[0-9a-f]*[0-9])[0-9a-f]{8,}\.[^/]+$")
#: A year: such a name never holds other bytes, so a browser need never ask again.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Every other file may change under its name: a browser keeps it but asks (ETag) each time.
REVALIDATE = "no-cache"


def _brotli():
    """The `brotli` module, or None: without it a NAME.br cannot be checked, so is never sent."""
    try:
        import brotli
    except ImportError:
        return None
    return brotli


#: Content-Encoding: the suffix of its pre-compressed copy, best first. Brotli's is about 16%
#: smaller than Zopfli's gzip for brython.js (RFC 7932); every browser asks for it, over
#: http://127.0.0.1 as well as HTTPS.
SUFFIXES = {"br": ".br", "gzip": ".gz"}


def accepted_codings(accept_encoding):
    """The content codings an Accept-Encoding header accepts: its names, less those with q=0
    (RFC 9110 12.5.3)."""
    accepted = set()
    for item in accept_encoding.lower().split(","):
        name, _, parameters = item.partition(";")
        quality = parameters.replace(" ", "")
        if name.strip() and not re.fullmatch(r"q=0(\.0{0,3})?", quality):
            accepted.add(name.strip())
    return accepted


def precompressed_copy(path, folders, coding="gzip"):
    """The real path of `path`'s pre-compressed copy in `coding` ("gzip": `NAME.gz`, "br":
    `NAME.br`), if it can be sent for it: a regular file inside one of `folders` (the served
    ones; a link out is ignored), not older than `path`, and holding `path`'s bytes once
    decompressed. Otherwise None."""
    if coding == "br" and _brotli() is None:
        return None
    packed = Path(os.path.realpath(str(path) + SUFFIXES[coding]))
    if not any(packed.is_relative_to(os.path.realpath(folder)) for folder in folders):
        return None
    try:
        file, copy = os.stat(path), packed.stat()
    except OSError:
        return None
    # A copy older than its file is stale (the file was edited or replaced since). The second
    # of slack is for copies of the pair (cp, pip), made in either order at once.
    if not stat.S_ISREG(copy.st_mode) or copy.st_mtime <= file.st_mtime - 1:
        return None
    if not _holds_the_same_bytes(str(path), file.st_size, file.st_mtime_ns,
                                 str(packed), copy.st_size, copy.st_mtime_ns, coding):
        return None
    return packed


@functools.lru_cache(maxsize=4096)
def _holds_the_same_bytes(path, size, mtime_ns, packed, packed_size, packed_mtime_ns, coding):
    """Whether `packed` decompresses to `path`'s bytes; the sizes and times are in the cache
    key, so each version of the pair is read once, not per request."""
    if coding == "br":
        return _brotli_holds(path, packed)
    chunk = 1 << 16
    try:
        with open(path, "rb") as file, gzip.open(packed, "rb") as unpacked:
            while True:
                expected = file.read(chunk)
                # Never more than the file holds plus a chunk, however much the copy inflates.
                if unpacked.read(chunk) != expected:
                    return False
                if not expected:
                    return True
    except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
        return False


def _brotli_holds(path, packed):
    """`_holds_the_same_bytes` for a NAME.br: decompressed a chunk at a time, each chunk's output
    bounded, so a copy that inflates without end is never held whole."""
    brotli, chunk = _brotli(), 1 << 16
    decompressor = brotli.Decompressor()
    try:
        with open(path, "rb") as file, open(packed, "rb") as compressed:
            data = compressed.read(chunk)
            while True:
                out = decompressor.process(data, output_buffer_limit=chunk)
                if out != file.read(len(out)):
                    return False
                if decompressor.is_finished():
                    return file.read(1) == b""
                if decompressor.can_accept_more_data():
                    data = compressed.read(chunk)
                    if not data and not out:
                        return False  # the copy ended before its stream did
                else:
                    data = b""
    except (OSError, brotli.error):
        return False


class PrecompressedFiles(StaticFiles):
    """StaticFiles that answers a client accepting Brotli with `NAME.br`, else one accepting gzip
    with `NAME.gz`, when `precompressed_copy` finds one; with a `fallback` file, that file
    answers every path that is none. `immutable`: the names (a compiled pattern, searched in the
    path) cached for a year; every other file is revalidated."""

    def __init__(self, *, fallback=None, immutable=HASHED_NAME, **options):
        super().__init__(**options)
        self.fallback = fallback
        self.immutable = immutable

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
        response = self._file_response(full_path, stat_result, scope, status_code)
        cached = self.immutable is not None and self.immutable.search(str(full_path))
        response.headers["Cache-Control"] = IMMUTABLE if cached else REVALIDATE
        return response

    def _file_response(self, full_path, stat_result, scope, status_code):
        request_headers = Headers(scope=scope)
        accepted = accepted_codings(request_headers.get("accept-encoding", ""))
        packed, coding = None, None
        for coding in SUFFIXES:
            packed = coding in accepted and precompressed_copy(full_path, self.all_directories, coding)
            if packed:
                break
        if not packed:
            return super().file_response(full_path, stat_result, scope, status_code)
        response = FileResponse(
            packed, status_code=status_code, stat_result=packed.stat(),
            media_type=mimetypes.guess_type(str(full_path))[0] or "text/plain",
            headers={"Content-Encoding": coding, "Vary": "Accept-Encoding"})
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response
