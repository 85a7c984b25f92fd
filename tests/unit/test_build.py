"""build.py: a reproducible, precompiled package, and a standard-library bundle only when one
is imported."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD_PACKAGE_INTO = """
import importlib.util, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("build", sys.argv[1])
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)
brython, make_package = build.load_brython()
brython_js = (Path(brython.__file__).parent / "data" / "brython.js").read_text(encoding="utf-8")
build.build_package(make_package, Path(sys.argv[2]), brython_js)
"""


def package_modules(text, build):
    return json.loads(text[len(build.PACKAGE_PREFIX):text.index(")\n")])


def precompiled_modules(text, build):
    """The compiled modules of the package's precompiled block (the object it hands Brython)."""
    block = text[text.index(")\n") + 2:]
    compiled_date, rest = block.split("===", 1)[1].split("){", 1)
    return json.loads(compiled_date), json.JSONDecoder().raw_decode(
        rest, rest.index("})(__BRYTHON__,") + 15)[0]


@pytest.fixture(scope="module")
def built_package(build, tmp_path_factory):
    """The package built twice, each time by a new Python process (and a new V8)."""
    folder = tmp_path_factory.mktemp("package")
    texts = []
    for name in ("a.js", "b.js"):
        subprocess.run([sys.executable, "-c", BUILD_PACKAGE_INTO, str(ROOT / "build.py"),
                        str(folder / name)], check=True, capture_output=True)
        texts.append((folder / name).read_text(encoding="utf-8"))
    return texts


def test_the_package_is_the_same_bytes_when_built_twice(build, built_package):
    first, second = built_package

    assert first == second
    modules = package_modules(first, build)
    assert {"implicitflow", "implicitflow.flow", "implicitflow.browser_environment"} <= set(modules)


@pytest.fixture(scope="module")
def brython_js(build):
    brython, _ = build.load_brython()
    return (Path(brython.__file__).parent / "data" / "brython.js").read_text(encoding="utf-8")


def test_every_module_is_shipped_compiled_for_the_brython_js_beside_it(build, built_package, brython_js):
    modules = package_modules(built_package[0], build)

    compiled_date, compiled = precompiled_modules(built_package[0], build)

    assert set(compiled) == {name for name in modules if name != "$timestamp"}
    assert f'__BRYTHON__.compiled_date="{compiled_date}"' in brython_js
    # Brython keeps a package's code in a list, a plain module's as a string.
    assert isinstance(compiled["implicitflow"], list) and isinstance(compiled["implicitflow.flow"], str)
    # Named for the module, not after its file (`from .x import y` needs the package).
    assert 'locals.__name__ = "implicitflow.flow"' in compiled["implicitflow.flow"]


def test_shipped_without_indentation_but_with_every_string_intact(build, brython_js):
    source = 'TEXT = """first\n    indented\n  end"""\nif TEXT:\n    x = 1\n'

    compiled, _ = build.compile_modules(brython_js, {"implicitflow.text": [".py", source]})

    js = compiled["implicitflow.text"]
    assert "\n    indented\\n\\\n  end'" in js
    assert "\n$B.set_lineno(frame, 5)\n" in js


def test_a_module_brython_cannot_compile_is_a_clear_message(build, brython_js):
    with pytest.raises(build.BuildError, match="Brython could not compile implicitflow.bad"):
        build.compile_modules(brython_js, {"implicitflow.bad": [".py", "def f(:\n"]})


def test_the_browser_package_imports_nothing_from_the_standard_library(build):
    assert build.stdlib_imports(build.python_sources(build.PACKAGE)) == []


def test_an_imported_stdlib_module_is_bundled_with_what_it_imports(build, tmp_path):
    script = tmp_path / "app.py"
    script.write_text("import json\nfrom browser import window\nfrom implicitflow import flow\n")
    brython, _ = build.load_brython()

    wanted = build.stdlib_imports([script])
    bundle = build.bundle_stdlib(build.read_stdlib(Path(brython.__file__).parent / "data"), wanted)

    assert wanted == ["json"]
    modules = json.loads(bundle.split("var scripts = ", 1)[1].split("\n", 1)[0])
    assert {"json", "_json"} <= set(modules) and "browser" not in modules
    assert len(bundle) < 5_000_000


def test_a_missing_piece_is_a_clear_message_not_a_traceback(build, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "PACKAGE", tmp_path / "nowhere")
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")

    assert build.main() == 1
    assert capsys.readouterr().err.startswith("build.py: No browser package at")


def test_brython_js_is_shipped_guarded_against_a_language_that_is_no_language_tag(build, brython_js):
    guarded = build.guard_locale(brython_js)

    assert brython_js.count(build.INTL_LANGUAGE) == build.INTL_LANGUAGE_USES
    assert build.INTL_LANGUAGE not in guarded
    assert guarded.count(build.INTL_LANGUAGE_GUARDED) == build.INTL_LANGUAGE_USES
    # Only those calls change: the rest of brython.js, its compiled_date included, is Brython's.
    assert guarded.replace(build.INTL_LANGUAGE_GUARDED, build.INTL_LANGUAGE) == brython_js
    assert (ROOT / "web" / "dist" / "brython.js").read_text(encoding="utf-8") == guarded


def test_a_brython_js_the_locale_guard_does_not_fit_stops_the_build(build, brython_js):
    with pytest.raises(build.BuildError, match="locale guard"):
        build.guard_locale(brython_js.replace(build.INTL_LANGUAGE, "new Intl.DateTimeFormat(lang,", 1))


# -- the runtime without the compiler, and an app compiled ahead of time --------------------


def test_the_runtime_is_brython_js_less_its_compiler_chain_and_nothing_else(build, brython_js):
    guarded = build.guard_locale(brython_js)

    runtime = build.without_compiler(guarded)

    start, end = guarded.index(build.CHAIN_START_TEXT), guarded.index(build.CHAIN_END_TEXT)
    assert runtime == guarded[:start] + build.NO_COMPILER + guarded[end:]
    # The parser, its symbol table and tokens are gone: only the stand-ins name them.
    assert "$B._PyPegen.run_parser=" not in runtime and "function file_rule(" not in runtime
    assert len(runtime) < 0.66 * len(guarded)
    assert (ROOT / "web" / "dist" / "brython_runtime.js").read_text(encoding="utf-8") == runtime


def test_a_brython_js_without_the_markers_stops_the_build(build, brython_js):
    with pytest.raises(build.BuildError, match="does not mark its compiler chain"):
        build.without_compiler(brython_js.replace(build.CHAIN_END_TEXT, "// end", 1))


WRITE_APP = """
import sys
from pathlib import Path
from implicitflow_bundle import write_bundle
write_bundle(sys.argv[1], source=Path(sys.argv[2]), app=sys.argv[3:])
"""


def test_an_app_is_the_same_bytes_when_built_twice(tmp_path):
    app = tmp_path / "app"
    (app / "lib").mkdir(parents=True)
    (app / "main.py").write_text("from browser import window\nimport util\nfrom lib import deep\n"
                                 "window.answer = util.f(lambda x: x + 1)\n")
    (app / "util.py").write_text("def f(g):\n    return [g(n) for n in range(3)]\n")
    (app / "lib" / "__init__.py").write_text("")
    (app / "lib" / "deep.py").write_text("from . import other\nVALUE = (lambda: other.X)()\n")
    (app / "lib" / "other.py").write_text("X = {1: 2}\n")
    built = []
    for name in ("a", "b"):  # each in a new Python process, with a new V8
        subprocess.run([sys.executable, "-c", WRITE_APP, str(tmp_path / name), str(ROOT / "web" / "dist"),
                        str(app / "main.py")], check=True, capture_output=True)
        built.append({path.name: path.read_bytes() for path in (tmp_path / name).iterdir()})

    assert built[0] == built[1]
    assert sorted(built[0]) == ["brython.LICENCE.txt", "brython_runtime.js", "brython_runtime.js.br",
                                "brython_runtime.js.gz", "implicitflow.brython.js",
                                "implicitflow.brython.js.br", "implicitflow.brython.js.gz",
                                "main.brython.js", "main.brython.js.br", "main.brython.js.gz"]
    script = built[0]["main.brython.js"].decode()
    # The modules beside the script that it imports, found without a PATH, named for tracebacks
    # by their own paths.
    assert all(f'"{name}":[".py"' in script for name in ("util", "lib", "lib.deep", "lib.other"))
    assert 'var __file__ = locals.__file__ = \\"lib/deep.py\\"' in script
    assert 'var __file__ = locals.__file__ = "main.py"' in script


def test_what_the_app_imports_and_nothing_holds_is_named(tmp_path):
    from implicitflow_bundle import compile_app

    (tmp_path / "main.py").write_text("import json\nfrom browser import window, timer\n"
                                      "from implicitflow import flow\nimport nowhere.deep\n")

    app = compile_app([tmp_path / "main.py"], ROOT / "web" / "dist")

    assert app.name == "main.brython.js" and app.modules == []
    assert app.missing == ["json", "nowhere.deep"]


def test_an_app_that_does_not_compile_is_a_clear_message(tmp_path):
    from implicitflow_bundle import BundleError, compile_app

    (tmp_path / "main.py").write_text("x = (\n")
    with pytest.raises(BundleError, match=r"main.py, line 1: '\(' was never closed"):
        compile_app([tmp_path / "main.py"], ROOT / "web" / "dist")
    with pytest.raises(BundleError, match="the first --app PATH is the page's script"):
        compile_app([tmp_path / "missing.py"], ROOT / "web" / "dist")
    (tmp_path / "implicitflow.py").write_text("")
    with pytest.raises(BundleError, match="would take the name of one of implicitflow's files"):
        compile_app([tmp_path / "implicitflow.py"], ROOT / "web" / "dist")
