"""pytest plugin (entry point `pytest11`): a browser for pytest-playwright, page checks, the
mock GetResponse, serving the app under test, and the audit.

Installing the package is enough: pytest-playwright's `page` fixture then runs in a Chromium
found by `implicitflow_testing.harness._chromium` (with `--browser firefox`, a Firefox found by
`implicitflow_testing.harness._browsers`). Fixtures:

    getresponse_mock          the mock GetResponse, reset for each test (a `MockServer`)
    getresponse_max_mock      the same as a GetResponse MAX environment (X-Domain required)
    getresponse_mock_session, getresponse_max_mock_session
                              the session's two mocks, not reset (for session-scoped fixtures)
    getresponse_mock_options  how those two start: override it in your conftest.py
    shared_clock              the page's clock and the mock's, moved together (expiry tests)
    python_page, page_watch   a page that fails the test on a Python traceback; its watcher
    serve_app                 serves an app's folder beside the mock
    implicitflow_audit        the conformance checks against your app

Configuring the mocks, as pytest-httpserver's `httpserver_listen_address`:

    # conftest.py
    import pytest
    from implicitflow_testing import MockOptions

    @pytest.fixture(scope="session")
    def getresponse_mock_options():
        return MockOptions(port=9400, auto_approve=True, token_lifetime=90,
                           max_domain="shop.getresponse360.com")

Testing expiry banners: the mock's clock (`getresponse_mock.clock.advance(s)`) decides when it
answers a token as expired, the page's timers are the browser's, and `shared_clock.run_for(s)`
moves both (request `shared_clock` before the page loads: it installs Playwright's clock).

The mock and the servers are imported only when a test asks for them: this module is loaded by
every pytest run wherever implicitflow is installed, with or without the `testing` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from implicitflow_testing.harness._page_watch import PageWatch
from implicitflow_testing.harness._shared_clock import SharedClock

if TYPE_CHECKING:
    from implicitflow_testing.audit import AuditReport
    from implicitflow_testing.mock import MockServer
    from implicitflow_testing.serving import ServerThread

#: pytest-playwright defines its `base_url` fallback as a session-scoped fixture on a class,
#: which pytest 9 deprecates: the warning is about pytest-playwright, not the user's tests.
BASE_URL_DEPRECATION = ("ignore:(?s)Session-scoped fixtures defined as instance methods.*'base_url'"
                        ":pytest.PytestDeprecationWarning")
MAX_TEST_DOMAIN = "acme.getresponse360.com"


@dataclass(frozen=True)
class MockOptions:
    """How the plugin's two session mocks start (`getresponse_mock_options`).

    `port` and `max_port`: 0 picks a free one (a fixed port serves one pytest process: under
    pytest-xdist, give each worker its own). `auto_approve`: no consent page. `token_lifetime`:
    seconds for new tokens (None: GetResponse's 3600 / 86400). `max_domain` and `max_region`
    ("us" or "pl"): the MAX mock's custom domain, the `X-Domain` its callers must send. Each
    test's reset puts these back.
    """

    port: int = 0
    max_port: int = 0
    auto_approve: bool = False
    token_lifetime: int | None = None
    max_domain: str = MAX_TEST_DOMAIN
    max_region: str = "us"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", BASE_URL_DEPRECATION)
    if config.pluginmanager.hasplugin("playwright"):
        config.pluginmanager.import_plugin("implicitflow_testing.harness._chromium_fixture")


@pytest.fixture
def page_watch(page: Any) -> PageWatch:
    """A `PageWatch` on `page`: `page_watch.wait_for_flag("done")`, `page_watch.errors`."""
    return PageWatch(page)


@pytest.fixture
def python_page(page: Any, page_watch: PageWatch) -> Iterator[Any]:
    """pytest-playwright's `page`, failing the test if its Python logs a traceback."""
    yield page
    page_watch.check()


@pytest.fixture(scope="session")
def getresponse_mock_options() -> MockOptions:
    """How the session's mocks start: override this fixture (session scope) in your
    conftest.py and return the `MockOptions` you want."""
    return MockOptions()


@pytest.fixture(scope="session")
def getresponse_mock_session(getresponse_mock_options: MockOptions) -> Iterator[MockServer]:
    """The session's mock GetResponse (one per session, or per xdist worker), never reset:
    for your own session-scoped fixtures. Tests take `getresponse_mock`."""
    from implicitflow_testing.mock import run_mock_server

    options = getresponse_mock_options
    with run_mock_server(port=options.port, auto_approve=options.auto_approve,
                         token_lifetime=options.token_lifetime) as server:
        yield server


@pytest.fixture(scope="session")
def getresponse_max_mock_session(getresponse_mock_options: MockOptions) -> Iterator[MockServer]:
    """The session's mock GetResponse MAX environment, never reset (see `getresponse_max_mock`)."""
    from implicitflow_testing.mock import run_mock_server

    options = getresponse_mock_options
    with run_mock_server(port=options.max_port, auto_approve=options.auto_approve,
                         token_lifetime=options.token_lifetime, max_region=options.max_region,
                         max_domains=[options.max_domain]) as server:
        yield server


@pytest.fixture
def getresponse_mock(getresponse_mock_session: MockServer) -> MockServer:
    """A mock GetResponse on 127.0.0.1 (one per session, or per xdist worker), reset for this test.

    `getresponse_mock.url`, `.authorize_url`, `.api_base`; switches such as
    `.deny_next()`, `.expire_tokens()`, `.fail_api(429, 1015)`; `.requests()` for the log.
    """
    getresponse_mock_session.reset()
    return getresponse_mock_session


@pytest.fixture
def getresponse_max_mock(getresponse_max_mock_session: MockServer) -> MockServer:
    """Like `getresponse_mock`, as a GetResponse MAX environment whose custom domain is
    `getresponse_mock_options.max_domain` ("acme.getresponse360.com" unless you change it):
    token requests and API calls must send that `X-Domain`."""
    getresponse_max_mock_session.reset()
    return getresponse_max_mock_session


@pytest.fixture
def shared_clock(page: Any, getresponse_mock: MockServer) -> SharedClock:
    """`page`'s clock and `getresponse_mock`'s as one: `shared_clock.run_for(seconds)` fires the
    page's timers due meanwhile and moves the mock's clock as far, so an app's expiry banners
    and the mock's "The access token provided is expired" come at the same moment. Request it
    before the page loads: it installs Playwright's clock in `page`."""
    clock = SharedClock(page, getresponse_mock)
    clock.install()
    return clock


@pytest.fixture
def implicitflow_audit(browser: Any, getresponse_mock: MockServer) -> Callable[..., AuditReport]:
    """`implicitflow_audit(app_url, sign_in=SELECTOR, signed_in=SELECTOR, mock=None)` -> an
    `AuditReport` of the implicit-flow checks run against the app in pytest-playwright's
    browser (`--browser`), judged by `getresponse_mock` (or `mock`); `report.raise_for_failures()`.
    `client_id=` (and `redirect_uri=`, default the app's URL) registers the app's client with
    the mock unless it knows it; `only=`, `timeout_ms=`, `token_origins=` as for `run_audit`."""
    from implicitflow_testing.audit import run_audit

    def audit(app_url: str, sign_in: str, signed_in: str, mock: Any = None,
              **options: Any) -> AuditReport:
        return run_audit(browser, app_url, sign_in, signed_in,
                         getresponse_mock if mock is None else mock, **options)

    return audit


@pytest.fixture(scope="session")
def _app_servers() -> Iterator[dict[tuple[str, str, str], ServerThread]]:
    servers: dict[tuple[str, str, str], ServerThread] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def serve_app(request: pytest.FixtureRequest, context: Any,
              _app_servers: dict[tuple[str, str, str], ServerThread]) -> Callable[..., str]:
    """`serve_app(folder, api_path="/api/getresponse", mock=getresponse_mock)` -> the app's URL.

    Serves `folder` (your pages, scripts, and what `implicitflow bundle` wrote) on 127.0.0.1
    (once per session), with `api_path` a same-origin proxy to the mock's API, as your own server
    proxies https://api.getresponse.com/v3 in production. In this test's browser context, visits
    to GetResponse's sign-in page (or a MAX custom domain's) are answered by the mock's consent
    page, so the app runs unchanged. Pass `mock=getresponse_max_mock` for GetResponse MAX.
    """
    from implicitflow_testing.harness._served_app import app_server, send_sign_in_to_mock

    def serve(folder: str | Path, api_path: str = "/api/getresponse",
              mock: MockServer | None = None) -> str:
        mock = mock or request.getfixturevalue("getresponse_mock")
        key = (str(Path(folder).resolve()), api_path, mock.url)
        if key not in _app_servers:
            _app_servers[key] = app_server(folder, api_path, mock)
        send_sign_in_to_mock(context, mock)
        return _app_servers[key].url

    return serve
