"""implicitflow's browser files, prebuilt and installed with the package.

    implicitflow bundle public/vendor --url vendor/

writes them where an app serves files and prints the `<script>` tags to paste. From Python:
`bundle_files()` lists them, `write_bundle(dest)` copies them, `script_tags(paths)` makes the tags.
The files are made at wheel-build time by build.py, exactly as it writes web/dist.
"""

import base64
import hashlib
import html
import os
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["BundleError", "FILES", "bundle_files", "script_tags", "sri_hash", "write_bundle"]

#: Where the installed files are (package data).
FILES = Path(__file__).resolve().parent / "files"
#: The scripts, in the order a page must load them; the standard-library bundle exists only
#: when the browser code imports a module that brython.js does not hold.
SCRIPTS = ("brython.js", "implicitflow_stdlib.js", "implicitflow.brython.js")
REQUIRED = ("brython.js", "implicitflow.brython.js")
LICENCE = "brython.LICENCE.txt"


class BundleError(Exception):
    """Something a person can fix (a missing bundle, a folder that cannot be written)."""


def bundle_files(source=FILES):
    """The bundle's files: the scripts in loading order, Brython's licence, then each script's
    pre-compressed copy (NAME.gz, for servers that send one to clients accepting gzip)."""
    missing = [name for name in (*REQUIRED, LICENCE) if not (source / name).is_file()]
    if missing:
        raise BundleError(
            f"{source} has no {', '.join(missing)}: this implicitflow was installed without its "
            "browser files (an editable install from a source tree? there, `python build.py` "
            "writes them to web/dist)")
    names = (*SCRIPTS, LICENCE, *(name + ".gz" for name in SCRIPTS))
    return [source / name for name in names if (source / name).is_file()]


def write_bundle(dest, source=FILES):
    """Copy the bundle into `dest` (created if needed); returns the written paths.

    Each file is written whole beside its name, then renamed over it: a link at that name is
    replaced, never followed, and a copy that fails leaves the name as it was. `dest` itself
    may be a link to a folder.
    """
    dest = Path(dest)
    files = bundle_files(source)
    if dest.exists() and not dest.is_dir():
        raise BundleError(f"{dest} exists and is not a folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        return [_replace_with_copy(path, dest / path.name) for path in files]
    except OSError as error:
        raise BundleError(f"cannot write to {dest}: {error.strerror or error}") from None


def _replace_with_copy(source, target):
    """Copy `source` to a new file beside `target`, then rename it to `target`."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    # A name no file had (O_EXCL), never a link's target (O_NOFOLLOW); mode as umask allows.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        with open(fd, "wb") as copy, open(source, "rb") as original:
            shutil.copyfileobj(original, copy)
            copy.flush()
            os.fsync(copy.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def sri_hash(data):
    """The Subresource Integrity value of `data`: "sha384-" and the base64 digest."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def script_tags(paths, url_prefix=""):
    """`<script>` tags with `integrity=` for the scripts among `paths`, in loading order.

    `url_prefix` is where the page finds them ("" beside the page, "vendor/", "/static/", or a
    CDN URL); an absolute URL on another origin also needs `crossorigin` for the check to run.
    """
    if url_prefix and not url_prefix.endswith("/"):
        url_prefix += "/"
    # Any URL with a scheme (in any case: HTTPS:// too) or a host (//cdn.example/, and /\cdn or
    # \\cdn, which a browser reads as // in an http(s) page) may be another origin.
    try:
        parts = urlsplit(url_prefix.replace("\\", "/"))
    except ValueError as error:  # such as a host "[...]" that is no IPv6 address
        raise BundleError(f"{url_prefix!r} is not a URL: {error}") from None
    cross_origin = bool(parts.scheme or parts.netloc)
    tags = []
    for path in paths:
        if path.name in SCRIPTS:
            extra = ' crossorigin="anonymous"' if cross_origin else ""
            tags.append(f'<script src="{html.escape(url_prefix + path.name)}" '
                        f'integrity="{sri_hash(path.read_bytes())}"{extra}></script>')
    return tags
