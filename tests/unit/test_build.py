"""build.py: a reproducible package, and a standard-library bundle only when one is imported."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_is_the_same_bytes_when_built_twice(build, tmp_path):
    _, make_package = build.load_brython()
    build.build_package(make_package, tmp_path / "a.js")
    build.build_package(make_package, tmp_path / "b.js")

    text = (tmp_path / "a.js").read_text()
    assert text == (tmp_path / "b.js").read_text()
    modules = json.loads(text[len(build.PACKAGE_PREFIX):text.index(")\n")])
    assert {"implicitflow", "implicitflow.flow", "implicitflow.browser_environment"} <= set(modules)


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
