"""The release is built with the usual command in the checkout itself, where build.py's name
would otherwise shadow PyPA's build."""

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "artifacts", "test-results", "site",
                                     "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "vendor")


def test_python_m_build_in_the_checkout_builds_the_release(tmp_path):
    checkout = tmp_path / "implicitflow"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCES)

    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", "dist"], cwd=checkout,
                           capture_output=True, text=True, timeout=900)

    assert built.returncode == 0, built.stdout + built.stderr
    (sdist,) = (checkout / "dist").glob("implicitflow-*.tar.gz")
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("/implicitflow_bundle/files/implicitflow.brython.js")
                   for name in archive.getnames())
    assert not (checkout / "web" / "dist").exists()  # build.py's own work was not done instead
