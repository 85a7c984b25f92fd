"""The demo's command line (its default, the installed site, runs in test_installed_product)."""

import subprocess
import sys


def test_the_demo_says_what_to_do_when_a_build_is_missing(tmp_path):
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.demo", "--dist",
                          str(tmp_path), "--port", "0", "--mock-port", "0"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert run.returncode == 1
    assert run.stderr == f"Cannot start: {tmp_path} has no index.html: is it a build? " \
                         "(`python build.py` writes web/dist in a source checkout)\n"
