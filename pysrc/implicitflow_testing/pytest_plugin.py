"""pytest plugin (entry point `pytest11`): a browser for pytest-playwright, page checks, the
mock GetResponse, and serving the app under test.

Installing the package is enough: pytest-playwright's `page` fixture then runs
in a Chromium found by `implicitflow_testing.harness._chromium` (with `--browser firefox`, a
Firefox found by `implicitflow_testing.harness._browsers`), `python_page` is a
page that fails the test on any Python traceback, `getresponse_mock` is the mock, and
`serve_app(folder)` serves an app's folder beside it. The mock and the servers are imported
only when a test asks for them: this module is loaded by every pytest run wherever
implicitflow is installed, with or without the `testing` extra.
"""

from pathlib import Path

import pytest

from implicitflow_testing.harness._page_watch import PageWatch

#: pytest-playwright defines its `base_url` fallback as a session-scoped fixture on a class,
#: which pytest 9 deprecates: the warning is about pytest-playwright, not the user's tests.
BASE_URL_DEPRECATION = ("ignore:(?s)Session-scoped fixtures defined as instance methods.*'base_url'"
                        ":pytest.PytestDeprecationWarning")


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", BASE_URL_DEPRECATION)
    if config.pluginmanager.hasplugin("playwright"):
        config.pluginmanager.import_plugin("implicitflow_testing.harness._chromium_fixture")


@pytest.fixture
def page_watch(page):
    """A `PageWatch` on `page`: `page_watch.wait_for_flag("done")`, `page_watch.errors`."""
    return PageWatch(page)


@pytest.fixture
def python_page(page, page_watch):
    """pytest-playwright's `page`, failing the test if its Python logs a traceback."""
    yield page
    page_watch.check()


MAX_TEST_DOMAIN = "acme.getresponse360.com"


@pytest.fixture(scope="session")
def _getresponse_mock_session():
    from implicitflow_testing.mock._server import run_mock_server

    with run_mock_server() as server:
        yield server


@pytest.fixture(scope="session")
def _getresponse_max_mock_session():
    from implicitflow_testing.mock._server import run_mock_server

    with run_mock_server(max_region="us", max_domains=[MAX_TEST_DOMAIN]) as server:
        yield server


@pytest.fixture
def getresponse_mock(_getresponse_mock_session):
    """A mock GetResponse on 127.0.0.1 (one per session, or per xdist worker), reset for this test.

    `getresponse_mock.url`, `.authorize_url`, `.api_base`; switches such as
    `.deny_next()`, `.expire_tokens()`, `.fail_api(429, 1015)`; `.requests()` for the log.
    """
    _getresponse_mock_session.reset()
    return _getresponse_mock_session


@pytest.fixture
def getresponse_max_mock(_getresponse_max_mock_session):
    """Like `getresponse_mock`, as a GetResponse MAX (US) environment whose custom domain is
    "acme.getresponse360.com": token requests and API calls must send that `X-Domain`."""
    _getresponse_max_mock_session.reset()
    return _getresponse_max_mock_session


@pytest.fixture
def implicitflow_audit(browser, getresponse_mock):
    """`implicitflow_audit(app_url, sign_in=SELECTOR, signed_in=SELECTOR, mock=None)` -> an
    `AuditReport` of the implicit-flow checks run against the app in pytest-playwright's
    browser (`--browser`), judged by `getresponse_mock` (or `mock`); `report.raise_for_failures()`.
    `client_id=` (and `redirect_uri=`, default the app's URL) registers the app's client with
    the mock unless it knows it; `only=`, `timeout_ms=`, `token_origins=` as for `run_audit`."""
    from implicitflow_testing.audit import run_audit

    def audit(app_url, sign_in, signed_in, mock=None, **options):
        return run_audit(browser, app_url, sign_in, signed_in,
                         getresponse_mock if mock is None else mock, **options)

    return audit


@pytest.fixture(scope="session")
def _app_servers():
    servers = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def serve_app(request, context, _app_servers):
    """`serve_app(folder, api_path="/api/getresponse", mock=getresponse_mock)` -> the app's URL.

    Serves `folder` (your pages, scripts, and what `implicitflow bundle` wrote) on 127.0.0.1
    (once per session), with `api_path` a same-origin proxy to the mock's API, as your own server
    proxies https://api.getresponse.com/v3 in production. In this test's browser context, visits
    to GetResponse's sign-in page (or a MAX custom domain's) are answered by the mock's consent
    page, so the app runs unchanged. Pass `mock=getresponse_max_mock` for GetResponse MAX.
    """
    from implicitflow_testing.harness._served_app import app_server, send_sign_in_to_mock

    def serve(folder, api_path="/api/getresponse", mock=None):
        mock = mock or request.getfixturevalue("getresponse_mock")
        key = (str(Path(folder).resolve()), api_path, mock.url)
        if key not in _app_servers:
            _app_servers[key] = app_server(folder, api_path, mock)
        send_sign_in_to_mock(context, mock)
        return _app_servers[key].url

    return serve
