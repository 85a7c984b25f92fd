"""pytest plugin (entry point `pytest11`): Chromium for pytest-playwright, and page checks.

Installing the package is enough: pytest-playwright's `page` fixture then runs
in a Chromium found by `implicitflow_testing.harness._chromium`, and `python_page` is a
page that fails the test on any Python traceback.
"""

import pytest

from implicitflow_testing.harness._page_watch import PageWatch


def pytest_configure(config):
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
