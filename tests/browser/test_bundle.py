"""The built bundle runs in Chromium, and a failing page is caught."""

import pytest

from implicitflow_testing.harness._page_watch import PythonErrorInPage

pytestmark = pytest.mark.browser


@pytest.mark.engines()
def test_package_imports_and_runs_in_the_page(python_page, page_watch, site):
    python_page.goto(site.url + "/test/smoke.html")

    assert page_watch.wait_for_flag("pythonDone") is True
    assert python_page.evaluate("window.authorizeUrl") == (
        "https://app.getresponse.com/oauth2_authorize.html?response_type=token"
        "&client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=" + "0" * 64
    )


def test_page_loads_no_standard_library_bundle(python_page, page_watch, site):
    loaded = []
    python_page.on("request", lambda request: loaded.append(request.url.rsplit("/", 1)[-1]))
    python_page.goto(site.url + "/test/smoke.html")
    page_watch.wait_for_flag("pythonDone")

    assert "brython_stdlib.js" not in loaded
    assert [name for name in loaded if name.endswith(".py")] == []


@pytest.mark.engines()
def test_python_traceback_fails_the_check(page, page_watch, site):
    page.goto(site.url + "/test/broken.html")

    with pytest.raises(PythonErrorInPage, match="AttributeError"):
        page_watch.wait_for_flag("pythonDone", timeout=10000)
