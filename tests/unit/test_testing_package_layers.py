"""The testing package's import layers (pyproject.toml, [tool.importlinter]): serving at the
bottom; the mock and the harness on it, neither importing the other; the audit above both; the
pytest plugin and the tools on top. No import runs back up, and no loop runs between the
modules or packages of one package."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_testing_package_keeps_its_layers_and_has_no_import_loop():
    lint = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                               "sys.exit(lint_imports_command())",
         "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "2 kept, 0 broken" in lint.stdout
