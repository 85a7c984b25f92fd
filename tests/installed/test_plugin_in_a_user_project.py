"""What a user's own pytest run sees of the plugin, from a project folder of their own."""

import subprocess
import sys


def test_a_run_that_uses_base_url_shows_no_third_party_deprecation(tmp_path):
    # pytest-playwright's `page` asks for `base_url`, whose fallback definition pytest deprecates.
    (tmp_path / "test_app.py").write_text("def test_app(base_url):\n    assert base_url is None\n")

    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout and "warning" not in run.stdout.lower(), run.stdout

