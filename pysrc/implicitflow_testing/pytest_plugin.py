"""pytest plugin (entry point `pytest11`): Chromium for pytest-playwright, and page checks.

Installing the package is enough: pytest-playwright's `page` fixture then runs
in a Chromium found by `implicitflow_testing.chromium`, and `python_page` is a
page that fails the test on any Python traceback.
"""

import pytest

from .page_watch import PageWatch


def pytest_configure(config):
    if config.pluginmanager.hasplugin("playwright"):
        config.pluginmanager.import_plugin("implicitflow_testing.chromium_fixture")


@pytest.fixture
def page_watch(page):
    """A `PageWatch` on `page`: `page_watch.wait_for_flag("done")`, `page_watch.errors`."""
    return PageWatch(page)


@pytest.fixture
def python_page(page, page_watch):
    """pytest-playwright's `page`, failing the test if its Python logs a traceback."""
    yield page
    page_watch.check()
