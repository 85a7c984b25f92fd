"""implicitflow's browser files, prebuilt and installed with the package.

    implicitflow bundle public/vendor --url vendor/
    implicitflow bundle public/vendor --url vendor/ --app public/app.py

writes them where an app serves files and prints the `<script>` tags to paste. With --app, the
app's own Python is compiled ahead of time, by the Brython compiler that compiled the package,
into one script (app.py: app.brython.js), and the runtime written is Brython without its compiler
(brython_runtime.js): the page compiles nothing. From Python: `bundle_files()` lists the files,
`write_bundle(dest)` copies them (`app=` compiles an app), `script_tags(paths)` makes the tags.
The prebuilt files are made at wheel-build time by build.py, exactly as it writes web/dist.
"""

import base64
import gzip
import hashlib
import html
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from implicitflow_bundle._runtime import RUNTIME, RuntimeCutError, without_compiler

__all__ = ["BundleError", "FILES", "RUNTIME", "bundle_files", "script_tags", "sri_hash",
           "write_bundle"]

#: Where the installed files are (package data).
FILES = Path(__file__).resolve().parent / "files"
#: The scripts, in the order a page must load them; the standard-library bundle exists only
#: when the browser code imports a module that brython.js does not hold.
#: brython_runtime.js is Brython without its compiler, for pages whose Python is all compiled.
SCRIPTS = ("brython.js", RUNTIME, "implicitflow_stdlib.js", "implicitflow.brython.js")
REQUIRED = ("brython.js", "implicitflow.brython.js")
LICENCE = "brython.LICENCE.txt"
PACKAGE = "implicitflow.brython.js"
#: The pre-compressed copies beside each script: gzip (every server that sends such files) and
#: Brotli (smaller; sent by `implicitflow serve`, and by nginx with its brotli_static module).
PRECOMPRESSED = (".gz", ".br")


class BundleError(Exception):
    """Something a person can fix (a missing bundle, a folder that cannot be written)."""


def bundle_files(source=FILES):
    """The bundle's files: the scripts in loading order, Brython's licence, then each script's
    pre-compressed copies (NAME.gz and NAME.br, for servers that send one to clients accepting
    gzip or Brotli)."""
    missing = [name for name in (*REQUIRED, LICENCE) if not (source / name).is_file()]
    if missing:
        raise BundleError(
            f"{source} has no {', '.join(missing)}: this implicitflow was installed without its "
            "browser files (an editable install from a source tree? there, `python build.py` "
            "writes them to web/dist)")
    scripts = [name for name in SCRIPTS if name != RUNTIME]
    names = (*scripts, LICENCE, *(name + suffix for suffix in PRECOMPRESSED for name in scripts))
    return [source / name for name in names if (source / name).is_file()]


class CompiledApp:
    """What `compile_app()` made: the script's name and text, the app modules in it, and the
    imports that nothing on the page provides."""

    def __init__(self, name, text, modules, missing):
        self.name, self.text, self.modules, self.missing = name, text, modules, missing


def app_script_name(paths):
    """app.py (or a folder app/ holding __main__.py): app.brython.js."""
    first = Path(paths[0])
    stem = first.resolve().name if first.is_dir() else first.stem
    name = stem + ".brython.js"
    if name in SCRIPTS or not stem:
        raise BundleError(f"{first}: an app script named {name} would take the name of one of "
                          "implicitflow's files; rename it")
    return name


def compile_app(paths, source=FILES):
    """The app's Python, from `--app PATH [PATH ...]`, compiled ahead of time by the brython.js
    in `source` (the one that compiled the package, and that brython_runtime.js is cut from)."""
    from implicitflow_bundle._compile import CompileError
    from implicitflow_bundle._compile import compile_app as compile_paths

    if not paths:
        raise BundleError("--app needs the app's script: a .py file")
    for name in ("brython.js", PACKAGE):
        if not (source / name).is_file():
            raise BundleError(f"{source} has no {name}: this implicitflow was installed without its "
                              "browser files (in a source tree, `python build.py` writes web/dist)")
    name = app_script_name(paths)
    package = (source / PACKAGE).read_text(encoding="utf-8")
    prefix = "__BRYTHON__.loadBrythonPackage("
    package_modules = json.loads(package[len(prefix):package.index(")\n")]) if package.startswith(
        prefix) else {}
    try:
        text, modules, missing = compile_paths(
            (source / "brython.js").read_text(encoding="utf-8"), paths,
            [module for module in package_modules if module != "$timestamp"])
    except CompileError as error:
        raise BundleError(str(error)) from None
    return CompiledApp(name, text, modules, missing)


def brotli_compressed(data):
    """NAME.br's bytes: Brotli at its best quality (RFC 7932; the same bytes for the same input
    and `brotli` version), or None where the `brotli` package is not installed (a server then
    sends NAME.gz)."""
    try:
        import brotli
    except ImportError:
        return None
    return brotli.compress(data, quality=11)


def precompressed(data):
    """NAME.gz's bytes: Zopfli's gzip (what the build ships) where the `zopfli` package is
    installed, else gzip -9; either the same bytes for the same input, every time."""
    try:
        from zopfli.gzip import compress
    except ImportError:
        return gzip.compress(data, 9, mtime=0)
    return compress(data)


def write_bundle(dest, source=FILES, app=None, compiler=None):
    """Copy the bundle into `dest` (created if needed); returns the written paths.

    `app`: the app's Python (`--app PATH [PATH ...]`, or a `CompiledApp`), compiled into one
    script written after the package, and the runtime without Brython's compiler
    (brython_runtime.js, cut from brython.js) instead of brython.js. `compiler=False` writes that
    runtime without an app (a page with no Python of its own).

    Each file is written whole beside its name, then renamed over it: a link at that name is
    replaced, never followed, and a copy that fails leaves the name as it was. `dest` itself
    may be a link to a folder.
    """
    dest = Path(dest)
    if compiler is None:
        compiler = app is None
    files = bundle_files(source)
    if app is not None and not isinstance(app, CompiledApp):
        app = compile_app(app, source)
    if dest.exists() and not dest.is_dir():
        raise BundleError(f"{dest} exists and is not a folder")
    with tempfile.TemporaryDirectory() as scratch:
        made = []  # (script, its .gz and .br) made here: the runtime, the app's script
        if not compiler:
            try:
                runtime = without_compiler((source / "brython.js").read_text(encoding="utf-8"))
            except RuntimeCutError as error:
                raise BundleError(str(error)) from None
            made.append((RUNTIME, runtime))
        if app is not None:
            made.append((app.name, app.text))
        extra = {}
        for name, text in made:
            script = Path(scratch) / name
            script.write_text(text, encoding="utf-8")
            data = script.read_bytes()
            for suffix, packed in ((".gz", precompressed(data)), (".br", brotli_compressed(data))):
                if packed is not None:
                    Path(str(script) + suffix).write_bytes(packed)
            extra[name] = script
        if not compiler:
            files = [path for path in files if path.name not in
                     ("brython.js", *("brython.js" + suffix for suffix in PRECOMPRESSED))]
        scripts = [path for path in files if path.suffix == ".js"]
        packed = [path for path in files if path.suffix in PRECOMPRESSED]
        licence = [path for path in files if path.name == LICENCE]
        runtime = [extra[RUNTIME]] if RUNTIME in extra else []
        app_files = [extra[app.name]] if app is not None else []
        ordered = [*runtime, *scripts, *app_files, *licence, *_copies(runtime), *packed,
                   *_copies(app_files)]
        try:
            dest.mkdir(parents=True, exist_ok=True)
            return [_replace_with_copy(path, dest / path.name) for path in ordered]
        except OSError as error:
            raise BundleError(f"cannot write to {dest}: {error.strerror or error}") from None


def _copies(scripts):
    """The pre-compressed copies written beside `scripts`, NAME.gz then NAME.br."""
    return [Path(str(path) + suffix) for suffix in PRECOMPRESSED for path in scripts
            if Path(str(path) + suffix).exists()]


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
        if path.suffix == ".js":
            extra = ' crossorigin="anonymous"' if cross_origin else ""
            tags.append(f'<script src="{html.escape(url_prefix + path.name)}" '
                        f'integrity="{sri_hash(path.read_bytes())}"{extra}></script>')
    return tags
