"""Build web/dist: the Brython runtime, the implicitflow package, and the demo pages.

    python build.py

The browser package imports nothing from Brython's standard library, so no
module bundle is written and no page needs the 5 MB brython_stdlib.js. Should
a browser module (or a demo script) start importing one, the build bundles
just those modules, with what they import, into implicitflow_stdlib.js.

The output is reproducible: the package's `$timestamp` (Brython's key for its
compiled-module cache in indexedDB) is a hash of the sources, so it changes
exactly when they do.
"""

import ast
import contextlib
import gzip
import hashlib
import io
import json
import shutil
import sys
import tempfile
import time
import tokenize
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "pysrc" / "implicitflow"
WEB = ROOT / "web"
DIST = WEB / "dist"
#: Brython's BSD licence, shipped beside brython.js wherever it goes (its wheel carries none).
BRYTHON_LICENCE = ROOT / "pysrc" / "implicitflow_bundle" / "files" / "brython.LICENCE.txt"
STDLIB_BUNDLE = "implicitflow_stdlib.js"
#: Modules that brython.js itself provides: importing them costs nothing extra.
BUILT_INTO_BRYTHON_JS = {"browser", "browser.aio", "browser.html", "javascript"}
PACKAGE_PREFIX = "__BRYTHON__.loadBrythonPackage("
#: Appended to the package file: plain JavaScript can await `implicitflowReady` from the
#: moment the script tags have run, before Brython has imported anything.
READY_PRELUDE = (
    "window.implicitflowReady=window.implicitflowReady||new Promise(function(resolve)"
    "{window.__implicitflowResolveReady=resolve});\n"
)


class BuildError(Exception):
    """A problem the person running the build can fix; printed without a traceback."""


def load_brython():
    try:
        import brython
        from brython import make_package
    except ImportError:
        raise BuildError(
            "The 'brython' package is not installed. Run: pip install -e '.[testing]'"
        ) from None
    if not hasattr(tokenize, "FSTRING_START"):
        # Brython's minifier compares token types with tokenize.FSTRING_START, which
        # exists only on CPython >= 3.12. On 3.11 no token has that type, so a value
        # no token type takes is an exact stand-in.
        tokenize.FSTRING_START = -1
    return brython, make_package


def python_sources(folder):
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def source_hash(paths):
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_package(make_package, output):
    """Brython's own packager, into a temporary folder, then made reproducible."""
    sources = python_sources(PACKAGE)
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / "implicitflow"
        shutil.copytree(PACKAGE, staged, ignore=shutil.ignore_patterns("__pycache__"))
        target = Path(scratch) / "implicitflow.brython.js"
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a line per module
            make_package.make("implicitflow", str(staged), output_path=str(target))
        text = target.read_text(encoding="utf-8").strip()
    if not (text.startswith(PACKAGE_PREFIX) and text.endswith(")")):
        raise BuildError("Brython's make_package wrote an unexpected file format")
    modules = json.loads(text[len(PACKAGE_PREFIX):-1])
    modules["$timestamp"] = int(source_hash(sources)[:12], 16)
    output.write_text(
        PACKAGE_PREFIX + json.dumps(modules, sort_keys=True, separators=(",", ":")) + ")\n"
        + READY_PRELUDE,
        encoding="utf-8",
    )


def imported_modules(path):
    """Absolute module names imported anywhere in a Python file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def stdlib_imports(scripts):
    """Standard-library modules the browser code imports, beyond what brython.js holds."""
    needed = set()
    for path in scripts:
        for name in imported_modules(path):
            if name.split(".")[0] != "implicitflow" and name not in BUILT_INTO_BRYTHON_JS:
                needed.add(name)
    return sorted(needed)


def read_stdlib(brython_data):
    text = (brython_data / "brython_stdlib.js").read_text(encoding="utf-8")
    start = text.index("var scripts = ") + len("var scripts = ")
    return json.loads(text[start:text.rindex("}") + 1])


def bundle_stdlib(stdlib, wanted):
    """The wanted modules and everything they import, in brython_stdlib.js's own format."""
    for name in wanted:
        if name not in stdlib:
            raise BuildError("Module " + repr(name) + " is neither in brython.js nor its stdlib")
    chosen, queue = {}, list(wanted)
    while queue:
        name = queue.pop()
        # What stdlib modules import but the bundle lacks is built into brython.js (_sys, ...).
        if name in chosen or name in BUILT_INTO_BRYTHON_JS or name not in stdlib:
            continue
        chosen[name] = stdlib[name]
        queue.extend(stdlib[name][2] if len(stdlib[name]) > 2 else [])
        if "." in name:
            queue.append(name.rsplit(".", 1)[0])
    modules = {"$timestamp": stdlib["$timestamp"]}
    modules.update(sorted(chosen.items()))
    return (
        "__BRYTHON__.use_VFS = true;\nvar scripts = "
        + json.dumps(modules, separators=(",", ":"))
        + "\n__BRYTHON__.update_VFS(scripts)\n"
    )


def web_sources():
    """(path, relative path) of the demo and benchmark pages under web/: not the build output,
    not the example apps (those are built on the installed package, as a user's app is)."""
    for path in sorted(WEB.rglob("*")):
        relative = path.relative_to(WEB)
        if relative.parts[0] in ("dist", "examples") or path.is_dir() or "__pycache__" in relative.parts:
            continue
        yield path, relative


def copy_web_sources(folder):
    for path, relative in web_sources():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def write_bundle(folder):
    """What an app serves, into `folder`: brython.js and its licence, the package, and the
    standard-library modules the browser code imports (if any). `build()` and the wheel build
    (setup.py) both call this, so web/dist and the wheel carry the same bytes."""
    brython, make_package = load_brython()
    brython_data = Path(brython.__file__).parent / "data"
    if not (brython_data / "brython.js").exists():
        raise BuildError("The installed brython package has no data/brython.js; reinstall it")
    if not (PACKAGE / "__init__.py").exists():
        raise BuildError("No browser package at " + str(PACKAGE))

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(brython_data / "brython.js", folder / "brython.js")
    shutil.copyfile(BRYTHON_LICENCE, folder / BRYTHON_LICENCE.name)
    print("Brython", metadata.version("brython"), "from", brython_data)
    build_package(make_package, folder / "implicitflow.brython.js")

    scripts = python_sources(PACKAGE) + [path for path, _ in web_sources() if path.suffix == ".py"]
    wanted = stdlib_imports(scripts)
    if wanted:
        (folder / STDLIB_BUNDLE).write_text(bundle_stdlib(read_stdlib(brython_data), wanted),
                                            encoding="utf-8")
        print("Standard-library modules bundled:", ", ".join(wanted))
    else:
        print("Standard-library modules imported by the browser code: none (no bundle needed)")


def report(path):
    data = path.read_bytes()
    packed = len(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"  {str(path.relative_to(ROOT)):<44} {len(data):>10,} B  {packed:>9,} B gzip")


def build():
    started = time.perf_counter()
    if DIST.exists():
        shutil.rmtree(DIST)
    write_bundle(DIST)
    copy_web_sources(DIST)

    print("Wrote web/dist:")
    for path in sorted(DIST.rglob("*")):
        if path.is_file():
            report(path)
    print(f"Built in {time.perf_counter() - started:.2f} s")


def main():
    try:
        build()
    except BuildError as error:
        print("build.py: " + str(error), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
