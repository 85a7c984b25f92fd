"""The package arrives compiled: a first visit compiles none of it, and it behaves as the
Python source compiled in the page does, which is what runs under any other brython.js."""

from pathlib import Path

import pytest

from implicitflow_testing.harness._page_watch import PageWatch, PythonErrorInPage

pytestmark = pytest.mark.browser

PACKAGE = Path(__file__).resolve().parents[2] / "pysrc" / "implicitflow"

#: Records the file name of every module Brython compiles, by wrapping its compiler the moment
#: brython.js defines it (brython.js extends a `__BRYTHON__` that already exists).
RECORD_COMPILES = """
window.compiledModules = [];
window.__BRYTHON__ = Object.defineProperty({}, "py2js", {
  configurable: true,
  get() { return this.recordedPy2js; },
  set(py2js) {
    this.recordedPy2js = function (src, module) {
      window.compiledModules.push(typeof src == "object" ? src.filename : module);
      return py2js.apply(this, arguments);
    };
  },
});
"""


@pytest.fixture
def compiles(page):
    page.add_init_script(RECORD_COMPILES)
    return lambda: page.evaluate("window.compiledModules")


def serve_another_brython_js(page):
    """brython.js with another build stamp, as a page loading some other Brython has."""
    def rewrite(route):
        body = route.fetch().text()
        route.fulfill(body=body.replace('__BRYTHON__.compiled_date="', '__BRYTHON__.compiled_date="other '),
                      content_type="text/javascript")
    page.route("**/brython.js", rewrite)


def package_modules(filenames):
    """Brython names the package's files VFS.implicitflow.flow.py, VFS.implicitflow/__init__.py..."""
    return sorted(name for name in filenames if name.startswith("VFS.implicitflow"))


def test_a_first_visit_compiles_none_of_the_package(python_page, page_watch, site, compiles):
    python_page.goto(site.url + "/test/smoke.html")

    assert page_watch.wait_for_flag("pythonDone") is True
    assert compiles() != [], "the page's own script is compiled: the recorder must see it"
    assert package_modules(compiles()) == []


def test_the_javascript_api_compiles_none_of_the_package(python_page, page_watch, site, compiles):
    python_page.goto(site.url + "/test/smoke.html")
    page_watch.wait_for_flag("pythonDone")

    # create() is what imports the JavaScript API's module.
    python_page.evaluate("""implicitflowReady.then(api => { api.create({provider: "getresponse",
        clientId: "demo-client", redirectUri: location.origin + "/cb"}); })""")

    assert python_page.evaluate("'implicitflow.javascript_api' in __BRYTHON__.imported")
    assert package_modules(compiles()) == []


def test_a_first_visit_opens_no_indexeddb(python_page, page_watch, site):
    python_page.goto(site.url + "/test/smoke.html")
    page_watch.wait_for_flag("pythonDone")

    assert python_page.evaluate("indexedDB.databases().then(list => list.map(db => db.name))") == []


def test_under_another_brython_js_the_package_compiles_from_its_source(
        python_page, page_watch, site, compiles):
    serve_another_brython_js(python_page)
    python_page.goto(site.url + "/test/smoke.html")

    assert page_watch.wait_for_flag("pythonDone") is True
    assert python_page.evaluate("window.authorizeUrl").startswith(
        "https://app.getresponse.com/oauth2_authorize.html?response_type=token&client_id=demo-client")
    assert {"VFS.implicitflow/__init__.py", "VFS.implicitflow.providers.py"} <= set(
        package_modules(compiles()))


def traceback_in(browser, url, from_source):
    context = browser.new_context()
    try:
        page = context.new_page()
        if from_source:
            serve_another_brython_js(page)
        watch = PageWatch(page)
        page.goto(url)
        with pytest.raises(PythonErrorInPage):
            watch.wait_for_flag("pythonDone")
        return [text for text in watch.console if text.startswith("Traceback")]
    finally:
        context.close()


def test_a_traceback_names_the_package_file_and_line_as_the_source_compiled_package_does(
        browser, site):
    url = site.url + "/test/package_error.html"
    source = (PACKAGE / "providers.py").read_text(encoding="utf-8").splitlines()
    line = 1 + next(i for i, text in enumerate(source)
                    if 'raise ConfigurationError(label + " is required")' in text)

    precompiled = traceback_in(browser, url, from_source=False)

    assert precompiled == traceback_in(browser, url, from_source=True)
    assert f'File "VFS.implicitflow.providers.py", line {line}, in __init__' in precompiled[0]
    assert precompiled[0].endswith("ConfigurationError: client_id is required")
