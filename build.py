"""Build web/dist: the Brython runtime, the implicitflow package, and the demo pages.

    python build.py

The browser package imports nothing from Brython's standard library, so no
module bundle is written and no page needs the 5 MB brython_stdlib.js. Should
a browser module (or a demo script) start importing one, the build bundles
just those modules, with what they import, into implicitflow_stdlib.js.

The package is shipped compiled: Brython's own compiler, from the brython.js
being shipped, runs here in V8 (mini-racer) and turns every module into the
JavaScript the browser would otherwise make on each first visit (most of its
cost). The Python source stays in the bundle: under any other brython.js the
page compiles it as usual.

The output is reproducible: the package's `$timestamp` (Brython's key for its
compiled-module cache in indexedDB) is a hash of the sources, so it changes
exactly when they do, and the compiler's random names come from a seeded
generator.
"""

import sys

if __name__ == "__main__" and __spec__ is not None and __spec__.name == "build":
    # `python -m build` in the checkout, the usual release command: the checkout comes first on
    # sys.path, so this file shadows PyPA's build. Hand over to it (run as `python build.py`,
    # __spec__ is None and this file builds web/dist).
    import os
    import runpy

    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    runpy.run_module("build", run_name="__main__", alter_sys=True)
    sys.exit()

import ast
import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import time
import tokenize
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Brython's compiler in V8 is shared with `implicitflow bundle --app`, which compiles an app's
# own Python on the user's machine: it lives in the installed package, and is used from there.
if str(ROOT / "pysrc") not in sys.path:
    sys.path.insert(0, str(ROOT / "pysrc"))
from implicitflow_bundle import _compile, brotli_compressed  # noqa: E402
from implicitflow_bundle._compile import without_indentation  # noqa: E402, F401
from implicitflow_bundle._runtime import CHAIN_END as CHAIN_END_TEXT  # noqa: E402, F401
from implicitflow_bundle._runtime import CHAIN_START as CHAIN_START_TEXT  # noqa: E402, F401
from implicitflow_bundle._runtime import NO_COMPILER, RUNTIME, RuntimeCutError  # noqa: E402, F401
from implicitflow_bundle._runtime import without_compiler as _without_compiler  # noqa: E402

PACKAGE = ROOT / "pysrc" / "implicitflow"
WEB = ROOT / "web"
DIST = WEB / "dist"
#: Brython's BSD licence, shipped beside brython.js wherever it goes (its wheel carries none).
BRYTHON_LICENCE = ROOT / "pysrc" / "implicitflow_bundle" / "files" / "brython.LICENCE.txt"
STDLIB_BUNDLE = "implicitflow_stdlib.js"
#: Modules that brython.js itself provides: importing them costs nothing extra.
BUILT_INTO_BRYTHON_JS = {"browser", "browser.aio", "browser.html", "javascript"}
#: Files the build writes pre-compressed copies of (NAME.gz, NAME.br) in web/dist.
GZIP_SUFFIXES = {".js", ".html", ".css", ".py", ".txt"}
PACKAGE_PREFIX = "__BRYTHON__.loadBrythonPackage("
#: Appended to the package file: plain JavaScript can await `implicitflowReady` from the
#: moment the script tags have run, before Brython has imported anything.
READY_PRELUDE = (
    "window.implicitflowReady=window.implicitflowReady||new Promise(function(resolve)"
    "{window.__implicitflowResolveReady=resolve});\n"
)


#: Appended to the package: the compiled modules go where Brython's indexedDB cache puts them,
#: which its module loader reads before compiling, but only under the brython.js that compiled
#: them (its build stamp). Once nothing in the page's file system is left to compile, opening
#: that cache on a first visit is pure cost, so Brython is told the page has none.
PRECOMPILED_BLOCK = """;if(__BRYTHON__.compiled_date===%s){(function($B,compiled){
Object.assign($B.precompiled,compiled);
var hasIndexedDB=$B.has_indexedDB;
Object.defineProperty($B,"has_indexedDB",{configurable:true,get:function(){
return hasIndexedDB&&Object.keys($B.VFS).some(function(name){return !(name in $B.precompiled)})}});
})(__BRYTHON__,%s)}
"""


#: Appended to the package, after READY_PRELUDE: a page with no Python of its own (plain
#: JavaScript, under either runtime) still gets `implicitflowReady`. Once the document is parsed,
#: the package is imported, unless a <script type="text/python"> on the page will do it (Brython
#: runs those at the load event) or something already did. Under the brython.js that compiled the
#: package the import is made as compiled Python makes it, so no Python is compiled; under
#: another one, Brython compiles that line.
PACKAGE_START = """;(function($B,stamp){
function start(){
if($B.imported.implicitflow||document.querySelector('script[type="text/python"],script[type="text/python3"]')){return}
if($B.compiled_date!==stamp){return $B.importModule("implicitflow")}
var _b_=$B.builtins,name="__implicitflow_start__",locals={__name__:name},frame=[name,locals,name,locals];
$B.enter_frame(frame,"<implicitflow start>",1);
try{$B.import("implicitflow",[],{},locals,1);$B.leave_frame({locals:locals,value:_b_.None})}
catch(error){$B.set_exc_and_trace(frame,error);$B.leave_frame({locals:locals,value:_b_.None});
$B.handle_error(error.ob_type===undefined?$B.exception(error):error)}}
if(document.readyState==="loading"){document.addEventListener("DOMContentLoaded",start)}else{start()}
})(__BRYTHON__,%s);
"""


#: brython.js formats a date with the browser's language as it loads, to name the time zone.
#: A language that is no BCP 47 tag (WebKitGTK says "C" under LANG=C or C.UTF-8) made that throw
#: `RangeError: invalid language tag` and no Python ran: the shipped brython.js asks Intl for the
#: language only if Intl accepts it, and for the browser's default locale otherwise.
#: `$B.language` itself is unchanged.
INTL_LANGUAGE = "new Intl.DateTimeFormat($B.language,"
INTL_LANGUAGE_GUARDED = ("new Intl.DateTimeFormat((function(l){try{return Intl.getCanonicalLocales(l)}"
                         "catch(e){return []}})($B.language),")
INTL_LANGUAGE_USES = 2


def guard_locale(brython_js):
    """brython.js with its load-time Intl.DateTimeFormat calls guarded (see INTL_LANGUAGE)."""
    if brython_js.count(INTL_LANGUAGE) != INTL_LANGUAGE_USES:
        raise BuildError("brython.js no longer formats dates as build.py's locale guard expects "
                         f"({brython_js.count(INTL_LANGUAGE)} uses of {INTL_LANGUAGE!r}, not "
                         f"{INTL_LANGUAGE_USES}): check the guard against this Brython")
    return brython_js.replace(INTL_LANGUAGE, INTL_LANGUAGE_GUARDED)


class BuildError(Exception):
    """A problem the person running the build can fix; printed without a traceback."""


def load_brython():
    try:
        import brython
        from brython import make_package
    except ImportError:
        raise BuildError(
            "The 'brython' package is not installed. Run: pip install -e '.[bundle]'"
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


def without_compiler(brython_js):
    """brython.js without its compiler chain (implicitflow_bundle._runtime)."""
    try:
        return _without_compiler(brython_js)
    except RuntimeCutError as error:
        raise BuildError(str(error)) from None


def compile_modules(brython_js, modules):
    """{name: JavaScript} of every `.py` module of a loadBrythonPackage mapping, compiled by
    `brython_js` in V8 (see implicitflow_bundle._compile), and the build stamp it is valid for."""
    try:
        return _compile.compile_modules(brython_js, modules)
    except _compile.CompileError as error:
        raise BuildError(str(error).replace("pip install 'implicitflow[bundle]'",
                                            "pip install -e '.[bundle]'")) from None


def build_package(make_package, output, brython_js):
    """Brython's own packager, into a temporary folder, then made reproducible, with every module
    also compiled by `brython_js` (the text of the brython.js shipped beside it)."""
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
    compiled, compiled_date = compile_modules(brython_js, modules)
    output.write_text(
        PACKAGE_PREFIX + json.dumps(modules, sort_keys=True, separators=(",", ":")) + ")\n"
        + PRECOMPILED_BLOCK % (json.dumps(compiled_date),
                               json.dumps(compiled, sort_keys=True, separators=(",", ":")))
        + READY_PRELUDE
        + PACKAGE_START % json.dumps(compiled_date),
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
    """The pages, and each page's Python (app.py, bench/*.py) also compiled ahead of time into
    NAME.brython.js beside it, as `implicitflow bundle --app` compiles a user's app: the pages
    load that, under the runtime without the compiler."""
    brython_js = None
    for path, relative in web_sources():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        if path.suffix == ".py":
            if brython_js is None:
                brython, _ = load_brython()
                brython_js = guard_locale(
                    (Path(brython.__file__).parent / "data" / "brython.js").read_text(encoding="utf-8"))
            try:
                text, _, missing = _compile.compile_app(brython_js, [path], package_module_names())
            except _compile.CompileError as error:
                raise BuildError(str(error)) from None
            if missing:
                raise BuildError(f"{relative} imports {', '.join(missing)}, which brython.js does "
                                 "not hold: a page compiled ahead of time cannot load it")
            target.with_name(path.stem + ".brython.js").write_text(text, encoding="utf-8")


def package_module_names():
    """implicitflow, implicitflow.flow, ...: the browser package's modules."""
    names = []
    for path in python_sources(PACKAGE):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def write_bundle(folder, runtime=False):
    """What an app serves, into `folder`: brython.js and its licence, the package, and the
    standard-library modules the browser code imports (if any), each script with its NAME.gz.
    `build()` and the wheel build (setup.py) both call this, so web/dist and the wheel carry the
    same bytes. `runtime`: also brython_runtime.js (web/dist's pages load it; the wheel carries
    none, since `implicitflow bundle` cuts it from brython.js, the same bytes)."""
    brython, make_package = load_brython()
    brython_data = Path(brython.__file__).parent / "data"
    if not (brython_data / "brython.js").exists():
        raise BuildError("The installed brython package has no data/brython.js; reinstall it")
    if not (PACKAGE / "__init__.py").exists():
        raise BuildError("No browser package at " + str(PACKAGE))

    folder.mkdir(parents=True, exist_ok=True)
    brython_js = guard_locale((brython_data / "brython.js").read_text(encoding="utf-8"))
    (folder / "brython.js").write_text(brython_js, encoding="utf-8")
    if runtime:
        (folder / RUNTIME).write_text(without_compiler(brython_js), encoding="utf-8")
    shutil.copyfile(BRYTHON_LICENCE, folder / BRYTHON_LICENCE.name)
    print("Brython", metadata.version("brython"), "from", brython_data,
          "(brython.js guarded against a language that is no language tag)")
    build_package(make_package, folder / "implicitflow.brython.js", brython_js)

    scripts = python_sources(PACKAGE) + [path for path, _ in web_sources() if path.suffix == ".py"]
    wanted = stdlib_imports(scripts)
    if wanted:
        (folder / STDLIB_BUNDLE).write_text(bundle_stdlib(read_stdlib(brython_data), wanted),
                                            encoding="utf-8")
        print("Standard-library modules bundled:", ", ".join(wanted))
    else:
        print("Standard-library modules imported by the browser code: none (no bundle needed)")
    for name in ("brython.js", RUNTIME, STDLIB_BUNDLE, "implicitflow.brython.js"):
        if (folder / name).exists():
            precompress(folder / name)


def precompress(path):
    """Write PATH.gz and PATH.br, for servers that send pre-compressed files (compressing 1.4 MB
    of brython.js per request costs a first visit 50-100 ms). Zopfli writes plain gzip, the same
    bytes on every build, about 5% smaller than `gzip -9` (brython.js: 272,704 B against
    286,492 B) for a few seconds of build time, once; Brotli at its best quality, which every
    browser accepts, about 16% smaller again (brython.js: 228,963 B). Both the same bytes on
    every build (implicitflow_bundle.brotli_compressed)."""
    try:
        from zopfli.gzip import compress
    except ImportError:
        raise BuildError("The 'zopfli' package is not installed. Run: pip install -e '.[bundle]'") from None
    data = path.read_bytes()
    packed = brotli_compressed(data)
    if packed is None:
        raise BuildError("The 'brotli' package is not installed. Run: pip install -e '.[bundle]'")
    Path(str(path) + ".gz").write_bytes(compress(data))
    Path(str(path) + ".br").write_bytes(packed)


def write_precompressed_siblings(folder):
    """NAME.gz and NAME.br beside every text file worth compressing that has none yet."""
    for path in sorted(folder.rglob("*")):
        if (path.suffix in GZIP_SUFFIXES and path.stat().st_size >= 512
                and not Path(str(path) + ".gz").exists()):
            precompress(path)


def report(path):
    size, packed, brotli = path.stat().st_size, Path(str(path) + ".gz"), Path(str(path) + ".br")
    sent = (f"{packed.stat().st_size:>9,} B NAME.gz" if packed.exists() else "") + (
        f" {brotli.stat().st_size:>9,} B NAME.br" if brotli.exists() else "")
    print(f"  {str(path.relative_to(ROOT)):<44} {size:>10,} B  {sent}")


def build():
    started = time.perf_counter()
    if DIST.exists():
        shutil.rmtree(DIST)
    write_bundle(DIST, runtime=True)
    copy_web_sources(DIST)
    write_precompressed_siblings(DIST)

    print("Wrote web/dist:")
    for path in sorted(DIST.rglob("*")):
        if path.is_file() and path.suffix not in (".gz", ".br"):  # the last columns are their sizes
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
