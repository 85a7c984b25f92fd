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

import ast
import contextlib
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
#: Files the build writes pre-compressed copies of (NAME.gz) in web/dist.
GZIP_SUFFIXES = {".js", ".html", ".css", ".py", ".txt"}
PACKAGE_PREFIX = "__BRYTHON__.loadBrythonPackage("
#: Appended to the package file: plain JavaScript can await `implicitflowReady` from the
#: moment the script tags have run, before Brython has imported anything.
READY_PRELUDE = (
    "window.implicitflowReady=window.implicitflowReady||new Promise(function(resolve)"
    "{window.__implicitflowResolveReady=resolve});\n"
)


#: Browser globals brython.js touches while it loads, for V8 without a page; Brython's compiler
#: reads none of them.
COMPILER_GLOBALS = r"""
var window = globalThis, self = globalThis;
globalThis.console = {log() {}, warn() {}, info() {}, error() {}, debug() {}};
globalThis.addEventListener = function () {};
globalThis.URL = class URL {
  constructor(url) {
    var parts = /^[a-z]+:\/\/[^/?#]*([^?#]*)(\?[^#]*)?(#.*)?$/.exec(url);
    if (!parts) { throw new TypeError("Invalid URL: " + url); }
    this.pathname = parts[1] || "/"; this.search = parts[2] || ""; this.hash = parts[3] || "";
  }
};
"""
#: Brython draws its generated names (and the lambda tag) from Math.random: a seeded generator
#: (mulberry32) makes the compiled JavaScript the same bytes on every build.
SEEDED_RANDOM = r"""
(function (seed) {
  Math.random = function () {
    seed = (seed + 0x6D2B79F5) >>> 0;
    var t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})(%d);
"""
#: What Brython's VFS loader does with a module's source on a first visit.
COMPILE_MODULE = r"""
function compileModule(name, source, isPackage) {
  var $B = __BRYTHON__, path = "VFS." + name + (isPackage ? "/__init__.py" : ".py");
  // Without this the module is named after its file, and `from .x import y` loses its package.
  $B.url2name[path] = name;
  $B.imported[name] = $B.module.$factory(
    name, "", isPackage ? name : name.split(".").slice(0, -1).join("."));
  try {
    return $B.py2js({src: source, filename: path, imported: true}, name, name,
                    $B.builtins_scope).to_js();
  } finally {
    delete $B.imported[name];
  }
}
"""
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


def without_indentation(js):
    """`js` without the spaces that start its lines (5% of the package's gzip bytes). They mean
    nothing unless inside a token: a string crosses a line only after a backslash, and only a
    template literal (which Brython does not write) could hold one, so such code is kept."""
    if "`" in js:
        return js
    lines = js.split("\n")
    return "\n".join(line if number and lines[number - 1].endswith("\\") else line.lstrip(" ")
                     for number, line in enumerate(lines))


def compile_modules(brython_js, modules):
    """{name: JavaScript} of every `.py` module of a loadBrythonPackage mapping, compiled by
    `brython_js` in V8 as a page would compile it (packages wrapped in a list, as Brython keeps
    them), and the runtime's build stamp, which the compiled code is valid for."""
    try:
        from py_mini_racer import JSEvalException, MiniRacer
    except ImportError:
        raise BuildError(
            "The 'mini-racer' package (V8 for Brython's compiler) is not installed. "
            "Run: pip install -e '.[bundle]'"
        ) from None
    context = MiniRacer()
    try:
        context.eval(SEEDED_RANDOM % int(hashlib.sha256(b"implicitflow").hexdigest()[:8], 16))
        context.eval(COMPILER_GLOBALS)
        context.eval(brython_js)
        context.eval(COMPILE_MODULE)
        compiled = {}
        for name, entry in sorted(modules.items()):
            if name == "$timestamp" or entry[0] != ".py":
                continue
            is_package = len(entry) > 3 and bool(entry[3])
            call = "compileModule(" + json.dumps([name, entry[1], is_package])[1:-1] + ")"
            try:
                js = without_indentation(context.eval(call))
            except JSEvalException as error:
                raise BuildError(f"Brython could not compile {name}: {error}") from None
            compiled[name] = [js] if is_package else js
        return compiled, context.eval("__BRYTHON__.compiled_date")
    finally:
        context.close()


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
    standard-library modules the browser code imports (if any), each script with its NAME.gz.
    `build()` and the wheel build (setup.py) both call this, so web/dist and the wheel carry the
    same bytes."""
    brython, make_package = load_brython()
    brython_data = Path(brython.__file__).parent / "data"
    if not (brython_data / "brython.js").exists():
        raise BuildError("The installed brython package has no data/brython.js; reinstall it")
    if not (PACKAGE / "__init__.py").exists():
        raise BuildError("No browser package at " + str(PACKAGE))

    folder.mkdir(parents=True, exist_ok=True)
    brython_js = guard_locale((brython_data / "brython.js").read_text(encoding="utf-8"))
    (folder / "brython.js").write_text(brython_js, encoding="utf-8")
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
    for name in ("brython.js", STDLIB_BUNDLE, "implicitflow.brython.js"):
        if (folder / name).exists():
            precompress(folder / name)


def precompress(path):
    """Write PATH.gz, for servers that send pre-compressed files (compressing 1.4 MB of
    brython.js per request costs a first visit 50-100 ms). Zopfli writes plain gzip, the same
    bytes on every build, about 5% smaller than `gzip -9` (brython.js: 272,704 B against
    286,492 B) for a few seconds of build time, once."""
    try:
        from zopfli.gzip import compress
    except ImportError:
        raise BuildError("The 'zopfli' package is not installed. Run: pip install -e '.[bundle]'") from None
    Path(str(path) + ".gz").write_bytes(compress(path.read_bytes()))


def write_gzip_siblings(folder):
    """NAME.gz beside every text file worth compressing that has none yet."""
    for path in sorted(folder.rglob("*")):
        if (path.suffix in GZIP_SUFFIXES and path.stat().st_size >= 512
                and not Path(str(path) + ".gz").exists()):
            precompress(path)


def report(path):
    size, packed = path.stat().st_size, Path(str(path) + ".gz")
    sent = f"{packed.stat().st_size:>9,} B NAME.gz" if packed.exists() else ""
    print(f"  {str(path.relative_to(ROOT)):<44} {size:>10,} B  {sent}")


def build():
    started = time.perf_counter()
    if DIST.exists():
        shutil.rmtree(DIST)
    write_bundle(DIST)
    copy_web_sources(DIST)
    write_gzip_siblings(DIST)

    print("Wrote web/dist:")
    for path in sorted(DIST.rglob("*")):
        if path.is_file() and path.suffix != ".gz":  # the last column is their size
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
