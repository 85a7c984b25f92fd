"""implicitflow's browser files, prebuilt and installed with the package.

    implicitflow bundle public/vendor --url vendor/

writes them where an app serves files and prints the `<script>` tags to paste. From Python:
`bundle_files()` lists them, `write_bundle(dest)` copies them, `script_tags(paths)` makes the tags.
The files are made at wheel-build time by build.py, exactly as it writes web/dist.
"""

import base64
import hashlib
import shutil
from pathlib import Path

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
    """Copy the bundle into `dest` (created if needed); returns the written paths."""
    dest = Path(dest)
    files = bundle_files(source)
    if dest.exists() and not dest.is_dir():
        raise BundleError(f"{dest} exists and is not a folder")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copyfile(path, dest / path.name)) for path in files]
    except OSError as error:
        raise BundleError(f"cannot write to {dest}: {error.strerror or error}") from None


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
    cross_origin = url_prefix.startswith(("http://", "https://", "//"))
    tags = []
    for path in paths:
        if path.name in SCRIPTS:
            extra = ' crossorigin="anonymous"' if cross_origin else ""
            tags.append(f'<script src="{url_prefix}{path.name}" '
                        f'integrity="{sri_hash(path.read_bytes())}"{extra}></script>')
    return tags
