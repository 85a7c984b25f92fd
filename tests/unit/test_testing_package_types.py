"""The testing package's public API is fully annotated, ships `py.typed` (PEP 561), and mypy
finds nothing wrong in its public modules (pyproject.toml, [tool.mypy])."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pysrc" / "implicitflow_testing"
#: The modules a user imports from, and what they hand out (`MockServer`'s switches come from
#: mock._switch_methods, its state from mock._state, the plugin's clock from harness._shared_clock).
PUBLIC_MODULES = [
    "implicitflow_testing",
    "implicitflow_testing.serving",
    "implicitflow_testing.serving._server_thread",
    "implicitflow_testing.mock",
    "implicitflow_testing.mock._server",
    "implicitflow_testing.mock._switch_methods",
    "implicitflow_testing.mock._controls",
    "implicitflow_testing.mock._state",
    "implicitflow_testing.mock._clock",
    "implicitflow_testing.mock._models",
    "implicitflow_testing.mock._rate_limits",
    "implicitflow_testing.mock._oldest_first",
    "implicitflow_testing.pytest_plugin",
    "implicitflow_testing.harness._shared_clock",
]


def test_mypy_finds_nothing_in_the_public_modules():
    arguments = [argument for module in PUBLIC_MODULES for argument in ("-m", module)]
    check = subprocess.run([sys.executable, "-m", "mypy", "--config-file",
                            str(ROOT / "pyproject.toml"), "--no-incremental", *arguments],
                           cwd=ROOT / "pysrc", capture_output=True, text=True, timeout=600)

    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("Success: no issues found"), check.stdout


def test_the_wheel_ships_py_typed_and_the_mocks_templates():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert (PACKAGE / "py.typed").is_file()
    shipped = settings["tool"]["setuptools"]["package-data"]["implicitflow_testing"]
    assert "py.typed" in shipped
    assert "mock/templates/*.html" in shipped and any((PACKAGE / "mock" / "templates").glob("*.html"))
