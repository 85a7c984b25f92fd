"""Fixtures shared by the project's own tests: the built site, served once per session, and
a page running the toolkit against the mock GetResponse, driven as a user would."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from starlette.routing import Mount

from implicitflow_server import ApiProxy, server_app
from implicitflow_testing import ServerThread
from implicitflow_testing.harness._page_watch import PageWatch
from implicitflow_testing.pytest_plugin import MAX_TEST_DOMAIN
from implicitflow_testing.tools.demo import demo_app

# In CI, hypothesis runs the same examples every time, so a landing is judged on the same
# inputs it was tested with; elsewhere each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
TEST_PAGES = Path(__file__).resolve().parent / "browser" / "pages"
HELLOJS_VERSION = "1.21.4"


@pytest.fixture(scope="session")
def site_root(tmp_path_factory):
    """web/dist plus the test pages of tests/browser/pages, in one folder."""
    if not (DIST / "implicitflow.brython.js").exists():
        pytest.fail("web/dist is not built: run `python build.py` first", pytrace=False)
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(DIST, root, dirs_exist_ok=True)
    shutil.copytree(TEST_PAGES, root / "test", dirs_exist_ok=True)
    return root


@pytest.fixture(scope="session")
def site(site_root, getresponse_mock_session, getresponse_max_mock_session):
    """The site on 127.0.0.1 (random port): `site.url + "/test/smoke.html"`, with same-origin
    API proxies `/api/getresponse` and `/api/getresponse-max` to the two mock servers. No
    Referrer-Policy: the toolkit must keep tokens out of Referer on servers that send none."""
    max_proxy = ApiProxy("/api/getresponse-max", getresponse_max_mock_session.api_base,
                         x_domain=MAX_TEST_DOMAIN)
    app = server_app(site_root, "/api/getresponse", getresponse_mock_session.api_base,
                     headers={"Referrer-Policy": ""},
                     routes=[Mount("/api/getresponse-max", app=max_proxy)])
    with ServerThread(app) as server:
        yield server


@pytest.fixture(scope="session")
def demo(site_root, getresponse_mock_session):
    """The demo app (web/dist with /config.js and its API proxy) against the session's mock."""
    with ServerThread(demo_app(site_root, getresponse_mock_session, expiring_margin=60)) as server:
        yield server

class FlowPage:
    """tests/browser/pages/flow.html in a Playwright page, configured for one mock."""

    def __init__(self, page, watch, site, mock, api_prefix, max_mode=False):
        self.page = page
        self.watch = watch
        self.site = site
        self.mock = mock
        self.url = site.url + "/test/flow.html"
        self.config = {"authorizeUrl": mock.authorize_url, "apiBase": site.url + api_prefix,
                       "max": max_mode, "margin": 60, "storage": "session"}
        self.redirects = []
        page.on("response", self._on_response)

    def _on_response(self, response):
        location = response.headers.get("location", "")
        if response.url.startswith(self.mock.authorize_url) and location:
            self.redirects.append(location)

    def move_to_new_tab(self):
        """Close this tab and carry on in a new one of the same browser context."""
        new_tab = self.page.context.new_page()
        self.page.close()
        self.page = new_tab
        self.watch = PageWatch(new_tab)
        new_tab.on("response", self._on_response)

    def configure(self, **changes):
        self.config.update(changes)
        self.page.context.add_init_script(f"window.testConfig = {json.dumps(self.config)};")

    def open(self, url=None):
        if url and "#" in url:
            # Going from flow.html to flow.html#... would only change the hash, not load the page.
            self.page.goto("about:blank")
        self.page.goto(url or self.url)
        self.watch.wait_for_flag("pythonDone")
        return self.page.evaluate("window.outcome")

    def start_login(self, return_to=None):
        """Call login() and wait for the provider's page (or, with auto-approve, our callback)."""
        # The old document's flag is forgotten, so that arrived() waits for the new document's.
        # login() only schedules the navigation: a load-state wait right after it can return
        # before the navigation starts, and the next evaluate then meets the page being torn
        # down. The old document is marked, and the wait is for a document without the mark (the
        # address alone cannot tell: a provider answering at once comes back to the same one).
        self.page.evaluate("rt => { delete window.pythonDone; window.leftForLogin = true;"
                           " window.startLogin(rt) }", return_to)
        self.page.wait_for_function("() => window.leftForLogin === undefined")
        self.page.wait_for_load_state()

    def sign_in(self, return_to=None):
        """The whole happy path through the consent page."""
        self.open()
        self.start_login(return_to)
        self.page.get_by_role("button", name="Allow").click()
        return self.arrived()

    def arrived(self):
        self.page.wait_for_url(self.url + "*")
        self.watch.wait_for_flag("pythonDone")
        return self.page.evaluate("window.outcome")

    def events(self):
        return self.page.evaluate("Array.from(window.events)")

    def has_token(self):
        return self.page.evaluate("window.hasToken()")

    def call_api(self, path):
        self.page.evaluate("path => { window.callApi(path) }", path)
        self.page.wait_for_function("window.apiResult !== null", timeout=10000)
        self.watch.check()
        return self.page.evaluate("window.apiResult")


@pytest.fixture
def flow_page(python_page, page_watch, site, getresponse_mock):
    page = FlowPage(python_page, page_watch, site, getresponse_mock, "/api/getresponse")
    page.configure()
    return page


@pytest.fixture
def max_flow_page(python_page, page_watch, site, getresponse_max_mock):
    page = FlowPage(python_page, page_watch, site, getresponse_max_mock, "/api/getresponse-max",
                    max_mode=True)
    page.configure()
    return page


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


# -- the security suite's figures ----------------------------------------------------------
# Here, not in tests/security/conftest.py: under pytest-xdist the controller collects nothing,
# so it loads only this conftest, and it is the controller that prints the summary.
SECURITY_FIGURES = {}


@pytest.fixture(scope="session")
def security_report():
    """`security_report["name"] = "figure"`: printed in the summary at the end, for the
    documentation to quote."""
    return SECURITY_FIGURES


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker hands its figures over
        session.config.workeroutput["security_figures"] = dict(SECURITY_FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    SECURITY_FIGURES.update(getattr(node, "workeroutput", {}).get("security_figures", {}))


def pytest_terminal_summary(terminalreporter):
    if not SECURITY_FIGURES:
        return
    terminalreporter.section("security and reliability figures")
    for name, figure in SECURITY_FIGURES.items():
        terminalreporter.write_line(f"{name}: {figure}")
