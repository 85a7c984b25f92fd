"""Brython's own compiler, run in V8 (mini-racer): for the package at wheel-build time
(build.py) and for an app's own Python (`implicitflow bundle DEST --app PATH`).

The compiler is the one in the brython.js the page loads, so the JavaScript it writes is what
that page would write on a first visit, valid for that brython.js only (its `compiled_date`).
The output is reproducible: Brython draws its generated names from Math.random, here a seeded
generator, and everything is written in a fixed order.
"""

import ast
import hashlib
import json
from pathlib import Path

__all__ = ["CompileError", "compile_app", "compile_modules", "without_indentation"]


class CompileError(Exception):
    """Something in the code to compile, or a missing tool, that a person can fix."""


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
#: What Brython's VFS loader does with a module's source on a first visit, and what its page
#: loader does with a <script type="text/python">'s (the module `__main__`). `filename` is what
#: tracebacks name: VFS.NAME.py for the package, as Brython names its own VFS modules; the
#: app's own path for the app's.
COMPILE_MODULE = r"""
function compileModule(name, source, isPackage, filename) {
  var $B = __BRYTHON__, path = filename || ("VFS." + name + (isPackage ? "/__init__.py" : ".py"));
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
function compileScript(source, filename) {
  var $B = __BRYTHON__;
  $B.url2name[filename] = "__main__";
  return $B.py2js({src: source, filename: filename}, "__main__", "__main__").to_js();
}
"""


def _mini_racer():
    try:
        from py_mini_racer import JSEvalException, MiniRacer
    except ImportError:
        raise CompileError(
            "compiling Python ahead of time runs Brython's compiler in V8, from the 'mini-racer' "
            "package, which is not installed: pip install 'implicitflow[bundle]'") from None
    return MiniRacer, JSEvalException


def without_indentation(js):
    """`js` without the spaces that start its lines (5% of the package's gzip bytes). They mean
    nothing unless inside a token: a string crosses a line only after a backslash, and only a
    template literal (which Brython does not write) could hold one, so such code is kept."""
    if "`" in js:
        return js
    lines = js.split("\n")
    return "\n".join(line if number and lines[number - 1].endswith("\\") else line.lstrip(" ")
                     for number, line in enumerate(lines))


class Compiler:
    """brython.js loaded in a new V8, ready to compile; use it in a `with`."""

    def __init__(self, brython_js, seed):
        MiniRacer, self._error = _mini_racer()
        self._context = MiniRacer()
        try:
            self._context.eval(SEEDED_RANDOM % int(hashlib.sha256(seed).hexdigest()[:8], 16))
            self._context.eval(COMPILER_GLOBALS)
            self._context.eval(brython_js)
            self._context.eval(COMPILE_MODULE)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        self._context.close()

    @property
    def compiled_date(self):
        """The build stamp of the brython.js compiling: the compiled code runs under it alone."""
        return self._context.eval("__BRYTHON__.compiled_date")

    @property
    def built_in_modules(self):
        """Modules that brython.js itself holds (browser, javascript, ...)."""
        return set(json.loads(self._context.eval("JSON.stringify(Object.keys(__BRYTHON__.imported))")))

    def _call(self, what, function, *args):
        try:
            return without_indentation(self._context.eval(
                function + "(" + json.dumps(list(args))[1:-1] + ")"))
        except self._error as error:
            raise CompileError(f"Brython could not compile {what}: {error}") from None

    def module(self, name, source, is_package, filename=None):
        return self._call(name, "compileModule", name, source, is_package, filename)

    def script(self, source, filename):
        return self._call(filename, "compileScript", source, filename)


def compile_modules(brython_js, modules, seed=b"implicitflow"):
    """{name: JavaScript} of every `.py` module of a loadBrythonPackage mapping, compiled by
    `brython_js` in V8 as a page would compile it (packages wrapped in a list, as Brython keeps
    them), and the runtime's build stamp, which the compiled code is valid for."""
    with Compiler(brython_js, seed) as compiler:
        compiled = {}
        for name, entry in sorted(modules.items()):
            if name == "$timestamp" or entry[0] != ".py":
                continue
            is_package = len(entry) > 3 and bool(entry[3])
            js = compiler.module(name, entry[1], is_package)
            compiled[name] = [js] if is_package else js
        return compiled, compiler.compiled_date


# -- an app's own Python --------------------------------------------------------------------


class AppModule:
    """One Python file of the app: its module name, its path, what tracebacks call it."""

    def __init__(self, name, path, filename, is_package=False):
        self.name, self.path, self.filename, self.is_package = name, path, filename, is_package

    def source(self):
        try:
            return self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise CompileError(f"{self.path} is not UTF-8 text: {error}") from None

    def imports(self):
        """{absolute name: required} of what this module imports, anywhere in it (relative
        imports resolved). `from pkg import name` also lists pkg.name, not required: it may be
        a submodule, or any other name in pkg."""
        try:
            tree = ast.parse(self.source(), str(self.path))
        except SyntaxError as error:
            raise CompileError(f"{self.path}, line {error.lineno}: {error.msg}") from None
        names = {}
        package = self.name if self.is_package else self.name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((alias.name, True) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".") if package else []
                    if node.level - 1 > len(base):
                        continue  # beyond the top: Python says so when it runs
                    base = base[:len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module
                if module:
                    names[module] = True
                    for alias in node.names:
                        if alias.name != "*":
                            names.setdefault(module + "." + alias.name, False)
                elif node.level:  # from . import name, at the top of the app
                    for alias in node.names:
                        names.setdefault(alias.name, False)
        return names


def _modules_in_folder(folder, prefix=""):
    """{name: AppModule} of the Python files under `folder`: a folder with __init__.py is a
    package; the files of one without are modules of their own name."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder)
        if "__pycache__" in relative.parts or any(part.startswith(".") for part in relative.parts):
            continue
        parts = list(relative.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        if not parts or not all(part.isidentifier() for part in parts):
            continue  # no module name Python could import (__main__ aside, handled by the caller)
        found[prefix + ".".join(parts)] = AppModule(prefix + ".".join(parts), path,
                                                    relative.as_posix(), is_package)
    return found


def _sibling(folder, name):
    """The app module `name` found beside the script (as Brython would fetch it beside the
    page), or None."""
    parts = name.split(".")
    module = folder.joinpath(*parts).with_suffix(".py")
    package = folder.joinpath(*parts, "__init__.py")
    for path, is_package in ((package, True), (module, False)):
        if path.is_file():
            return AppModule(name, path, path.relative_to(folder).as_posix(), is_package)
    return None


def find_app(paths):
    """(main, {name: AppModule}) from `--app PATH [PATH ...]`: the first PATH is the page's
    script (a .py file, or a folder holding __main__.py); further PATHs are modules it imports,
    files or folders of them. A module the script imports that lies beside it is found without
    a PATH of its own, as Brython would find it beside the page."""
    paths = [Path(path) for path in paths]
    first = paths[0]
    if first.is_dir():
        if not (first / "__main__.py").is_file():
            raise CompileError(f"{first} is a folder without __main__.py: the first --app PATH is "
                               "the page's script, a .py file (or a folder holding __main__.py)")
        main = AppModule("__main__", first / "__main__.py", "__main__.py")
        folder = first
    elif first.is_file() and first.suffix == ".py":
        main = AppModule("__main__", first, first.name)
        folder = first.parent
    else:
        raise CompileError(f"{first}: no such Python file (the first --app PATH is the page's "
                           "script, a .py file)")
    modules = {}
    if first.is_dir():
        modules.update(_modules_in_folder(first))
    for path in paths[1:]:
        if path.is_dir():
            if (path / "__init__.py").is_file():
                if not path.resolve().name.isidentifier():
                    raise CompileError(f"{path} is a package whose name is no Python name")
                found = _modules_in_folder(path, path.resolve().name + ".")
                found[path.resolve().name] = AppModule(path.resolve().name, path / "__init__.py",
                                                       path.resolve().name + "/__init__.py", True)
                for module in found.values():
                    if module.name != path.resolve().name:
                        module.filename = path.resolve().name + "/" + module.filename
                modules.update(found)
            else:
                modules.update(_modules_in_folder(path))
        elif path.is_file() and path.suffix == ".py" and path.stem.isidentifier():
            modules[path.stem] = AppModule(path.stem, path, path.name)
        else:
            raise CompileError(f"{path}: no such Python file or folder")
    return main, folder, modules


def resolve_imports(main, folder, modules, available):
    """The app modules reachable from `main` (modules beside the script added as found) and
    every one given by PATH, and the imported names nothing provides: neither the app, nor
    `available` (brython.js's own modules and the implicitflow package's)."""
    chosen, missing, queue = {}, set(), [main]

    def add(name):
        found = modules.get(name) or _sibling(folder, name)
        if found is not None and name not in chosen:
            chosen[name] = found
            queue.append(found)
        return found is not None or name in chosen

    while queue:
        module = queue.pop()
        for name, required in sorted(module.imports().items()):
            if name in available or name in chosen:
                continue
            # Importing a.b.c runs a and a.b first.
            parts = name.split(".")
            for depth in range(1, len(parts)):
                parent = ".".join(parts[:depth])
                if parent not in available:
                    add(parent)
            if not add(name) and required:
                missing.add(name)
    # Modules given by PATH are shipped even when no import names them (imported by name at
    # run time, by __import__ or importlib).
    for name, module in modules.items():
        chosen.setdefault(name, module)
    return chosen, sorted(missing)


#: The app's script: its modules where Brython's VFS loader finds them, their compiled code
#: where it looks before compiling (under the brython.js that compiled them), and the script
#: run as `__main__` once the document is parsed, as Brython's own loader runs a
#: <script type="text/python"> (its errors printed as a traceback, its names a module's).
#: Under a brython.js of another build the full runtime compiles the sources instead.
APP_LOADER = r"""(function($B, stamp, timestamp, modules, compiled, main) {
var _b_ = $B.builtins, matches = $B.compiled_date === stamp, vfs = {$timestamp: timestamp};
for (var name in modules) {
  vfs[name] = modules[name].slice(0, 4);
  $B.file_cache[modules[name][4]] = modules[name][1];
}
$B.loadBrythonPackage(vfs);
if (matches) {
  Object.assign($B.precompiled, compiled);
  var hasIndexedDB = $B.has_indexedDB;
  Object.defineProperty($B, "has_indexedDB", {configurable: true, get: function() {
    return hasIndexedDB && Object.keys($B.VFS).some(function(name) { return !(name in $B.precompiled); });
  }});
}
function run() {
  $B.file_cache[main.filename] = main.source;
  if (!matches) {
    // Another build of Brython: its compiler (if it has one) compiles the source.
    return $B.run_script(document.createElement("script"), main.source, "__main__",
                         $B.script_path.replace(/[^/]*$/, "") + main.filename, true);
  }
  $B.url2name[main.filename] = "__main__";
  var module = $B.imported.__main__ = $B.module.$factory(
    "__main__", main.doc === null ? _b_.None : main.doc);
  module.__file__ = main.filename;
  try {
    var locals = main.run();
    for (var key in locals) {
      if (!key.startsWith("$")) { try { $B.module.tp_setattro(module, key, locals[key]); } catch (error) {} }
    }
  } catch (error) {
    $B.handle_error(error.ob_type === undefined ? $B.exception(error) : error);
  }
}
if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})(__BRYTHON__, %(stamp)s, %(timestamp)s, %(modules)s, %(compiled)s, %(main)s);
"""


def _docstring(source, path):
    try:
        return ast.get_docstring(ast.parse(source, str(path)), clean=False)
    except SyntaxError as error:
        raise CompileError(f"{path}, line {error.lineno}: {error.msg}") from None


def compile_app(brython_js, paths, package_modules=()):
    """The text of the app's script (see APP_LOADER), the names of its modules, and the
    imports nothing provides, from `--app PATH [PATH ...]`, compiled by `brython_js`."""
    main, folder, modules = find_app(paths)
    seed = b"implicitflow app"
    with Compiler(brython_js, seed) as compiler:
        available = compiler.built_in_modules | set(package_modules)
        chosen, missing = resolve_imports(main, folder, modules, available)
        main_source = main.source()
        main_js = compiler.script(main_source, main.filename)
        compiled, entries = {}, {}
        for name, module in sorted(chosen.items()):
            source = module.source()
            js = compiler.module(name, source, module.is_package, module.filename)
            compiled[name] = [js] if module.is_package else js
            entries[name] = [".py", source, sorted(module.imports()), module.is_package,
                             module.filename]
        stamp = compiler.compiled_date
    digest = hashlib.sha256()
    for name, entry in sorted(entries.items()):
        digest.update(name.encode() + b"\0" + entry[1].encode() + b"\0")
    digest.update(main_source.encode())
    doc = _docstring(main_source, main.path)

    def dumps(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    # The script is a function of the app's file, not a string: a page never evaluates one.
    main_object = (dumps({"doc": doc, "filename": main.filename, "source": main_source})[:-1]
                   + ',"run":function(){\n' + main_js + "\nreturn locals\n}}")
    text = APP_LOADER % {
        "stamp": json.dumps(stamp), "timestamp": int(digest.hexdigest()[:12], 16),
        "modules": dumps(entries), "compiled": dumps(compiled), "main": main_object}
    return text, sorted(chosen), missing
