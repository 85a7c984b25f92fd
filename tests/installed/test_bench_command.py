"""The benchmark's command line: it measures the installed site, or a build given with --dist."""

import subprocess
import sys


def test_the_benchmark_says_what_to_do_when_a_build_is_missing(tmp_path):
    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--runs", "1",
                          "--dist", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)

    assert run.returncode == 1
    assert run.stderr == f"benchmark failed: {tmp_path} has no index.html: is it a build? " \
                         "(`python build.py` writes web/dist in a source checkout)\n"
