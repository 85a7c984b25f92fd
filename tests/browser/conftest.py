"""Browser engines for the browser tests.

A test marked `@pytest.mark.engines(...)` runs once per engine named (all three by default:
"chromium", "firefox", "webkit"), through pytest-playwright's own parametrization of
`browser_name`, unless `--browser` names the engines for the whole run. Chromium and Firefox are
Playwright's (the plugin finds a stock one where Playwright's own build is absent: see
implicitflow_testing.harness._browsers). WebKit is Playwright's where installed; otherwise
Debian's WebKitGTK through WebKitWebDriver (tests/browser/webkit_driver.py), which offers no
clock, routing or network events: tests that need them name only the other engines.
"""

import pytest
from tests.browser.engine_probes import through_webdriver

from implicitflow_testing import ServerThread

ENGINES = ("chromium", "firefox", "webkit")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "engines(*names): run on each of these browser engines (default: chromium, "
                   "firefox, webkit) unless --browser names the engines")


@pytest.hookimpl(wrapper=True)
def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("engines")
    option = metafunc.config.option
    if marker is None or getattr(option, "browser", None):
        return (yield)
    unknown = set(marker.args) - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"engines(): unknown engine {sorted(unknown)}")
    # pytest-playwright parametrizes `browser_name` from --browser: hand it this test's engines.
    before, option.browser = option.browser, list(marker.args or ENGINES)
    try:
        return (yield)
    finally:
        option.browser = before


@pytest.fixture(scope="session")
def _init_scripts():
    """The current test's init scripts, which the WebDriver lane's site writes into each page."""
    return []


@pytest.fixture(scope="session")
def site(site, browser_name, _init_scripts):
    """The project's test site; for WebKit through WebDriver, the same app behind a server that
    writes the init scripts into each page (WebKitWebDriver has no preload scripts)."""
    if not through_webdriver(browser_name):
        yield site
        return
    from tests.browser.webkit_driver import InitScriptServer

    with ServerThread(InitScriptServer(site.app, _init_scripts)) as server:
        yield server


@pytest.fixture(scope="session")
def _webkit_session(site, _init_scripts, getresponse_mock_session, getresponse_max_mock_session):
    from tests.browser.webkit_driver import WebKitDriverNotFound, WebKitSession

    try:
        session = WebKitSession(_init_scripts, origins=[
            site.url, getresponse_mock_session.url, getresponse_max_mock_session.url])
    except WebKitDriverNotFound as error:
        pytest.fail(str(error), pytrace=False)
    yield session
    session.quit()


@pytest.fixture
def page(request, browser_name):
    """pytest-playwright's `page`; for WebKit through WebDriver, a window shaped like one."""
    if not through_webdriver(browser_name):
        yield request.getfixturevalue("context").new_page()
        return
    from tests.browser.webkit_driver import WebDriverContext

    context = WebDriverContext(request.getfixturevalue("_webkit_session"))
    yield context.new_page()
    context.close()
