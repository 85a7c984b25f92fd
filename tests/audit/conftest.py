"""Apps for the audit to judge, all against the session's mock: the demo apps (tests/conftest.py's
`demo`), the example apps under web/examples/, and the hello.js example with hello.js installed
from the npm registry (never kept in this repository; tests/conftest.py's `hellojs_script`)."""

import shutil
from pathlib import Path

import pytest

from implicitflow_testing import ServerThread
from implicitflow_testing.tools.demo import demo_app

EXAMPLES = Path(__file__).resolve().parents[2] / "web" / "examples"
SIGN_IN, SIGNED_IN = "#sign-in", "#signed-in"  # the same ids in the demo and every example


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


@pytest.fixture(scope="session")
def engine_browser(playwright):
    """`engine_browser("firefox")` -> a Playwright browser of that engine, launched once per
    session as the audit's own is (whatever --browser says), for the audits run on each engine."""
    from implicitflow_testing.audit._runner import audit_launch_args

    launched = {}

    def launch(engine):
        if engine not in launched:
            launched[engine] = getattr(playwright, engine).launch(**audit_launch_args(engine))
        return launched[engine]

    yield launch
    for browser in launched.values():
        browser.close()
