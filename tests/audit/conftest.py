"""Apps for the audit to judge, all against the session's mock: the demo apps (tests/conftest.py's
`demo`), the example apps under web/examples/, and the hello.js example with hello.js installed
from the npm registry (never kept in this repository)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from implicitflow_testing import ServerThread
from implicitflow_testing.tools.demo import demo_app

EXAMPLES = Path(__file__).resolve().parents[2] / "web" / "examples"
HELLOJS_VERSION = "1.21.4"
SIGN_IN, SIGNED_IN = "#sign-in", "#signed-in"  # the same ids in the demo and every example


@pytest.fixture(scope="session")
def hellojs_script():
    """dist/hello.js of hellojs@HELLOJS_VERSION, installed from npm once into a cache folder."""
    cache_root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "implicitflow-tests"
    installed = cache_root / f"hellojs-{HELLOJS_VERSION}"
    script = installed / "node_modules" / "hellojs" / "dist" / "hello.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install hello.js for tests/audit (apt-get install npm)",
                    pytrace=False)
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="hellojs-", dir=cache_root))
    done = subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
                           str(staging), f"hellojs@{HELLOJS_VERSION}"],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"npm install hellojs@{HELLOJS_VERSION} failed:\n{done.stderr}", pytrace=False)
    try:
        staging.rename(installed)  # atomic: another xdist worker may have finished first
    except OSError:
        shutil.rmtree(staging)
    return script


@pytest.fixture(scope="session")
def example_app(getresponse_mock_session):
    """`example_app(folder)` -> the URL of `folder` served as the demo is (its /config.js and
    the API proxy to the session's mock), once per session."""
    servers = {}

    def serve(folder):
        if folder not in servers:
            servers[folder] = ServerThread(demo_app(folder, getresponse_mock_session, 60))
            servers[folder].start()
        return servers[folder].url + "/"

    yield serve
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def hellojs_app(tmp_path_factory, hellojs_script, example_app):
    folder = tmp_path_factory.mktemp("hellojs-app")
    shutil.copytree(EXAMPLES / "hellojs", folder, dirs_exist_ok=True)
    shutil.copyfile(hellojs_script, folder / "hello.js")
    return example_app(folder)
