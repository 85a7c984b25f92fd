"""An app built with `implicitflow bundle DEST --app PATH`: its Python compiled ahead of time,
run by brython_runtime.js, Brython without its compiler. The page compiles nothing and carries
no parser; the same compiled app behaves the same under the full brython.js; a page that tries
to compile Python under the cut runtime gets one clear error; tracebacks name the app's files."""

import shutil
from pathlib import Path

import pytest

from implicitflow_bundle import write_bundle
from implicitflow_server import server_app
from implicitflow_testing import ServerThread

pytestmark = pytest.mark.browser

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"

MAIN = '''"""The compiled test app's script."""
from browser import document, window

import helper
from implicitflow import getresponse

provider = getresponse(client_id="demo-client", redirect_uri="http://127.0.0.1/cb")
window.outcome = [helper.double(21), __name__, __doc__, document.title,
                  provider.authorization_url("0" * 64)]
if window.location.hash == "#exec":
    exec("window.execed = 1")
if window.location.hash == "#fail":
    helper.fail()
window.pythonDone = True
'''
HELPER = '''def double(x):
    return 2 * x


def fail():
    raise ValueError("from the helper")
'''
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>compiled app</title>
<script src="vendor/{runtime}"></script>
<script src="vendor/implicitflow.brython.js"></script>
{rest}</head><body></body></html>
"""
#: The page's Python, recorded as Brython's compiler is handed it (see test_precompiled.py).
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
NO_PYTHON_JS = """<script>implicitflowReady.then(api => { window.apiKeys = Object.keys(api).sort();
  window.pythonDone = true; });</script>
"""


@pytest.fixture(scope="module")
def app_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compiled-app")
    (folder / "src").mkdir()
    (folder / "src" / "main.py").write_text(MAIN)
    (folder / "src" / "helper.py").write_text(HELPER)
    written = write_bundle(folder / "vendor", source=DIST, app=[folder / "src" / "main.py"])
    assert [path.name for path in written if path.suffix == ".js"] == [
        "brython_runtime.js", "implicitflow.brython.js", "main.brython.js"]
    shutil.copyfile(DIST / "brython.js", folder / "vendor" / "brython.js")
    pages = {
        "compiled.html": ("brython_runtime.js", '<script src="vendor/main.brython.js"></script>\n'),
        "compiled_full.html": ("brython.js", '<script src="vendor/main.brython.js"></script>\n'),
        "inline.html": ("brython_runtime.js", '<script type="text/python">x = 1</script>\n'),
        "no_python.html": ("brython_runtime.js", NO_PYTHON_JS),
        "no_python_full.html": ("brython.js", NO_PYTHON_JS),
    }
    for name, (runtime, rest) in pages.items():
        (folder / name).write_text(PAGE.format(runtime=runtime, rest=rest))
    with ServerThread(server_app(folder, api_path=None)) as server:
        yield server.url


def visit(browser, url):
    """(the page's console messages, its uncaught errors, and the page), in a new context."""
    context = browser.new_context()
    page = context.new_page()
    console, errors, requested = [], [], []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requested.append(request.url.rsplit("/", 1)[-1]))
    page.add_init_script(RECORD_COMPILES)
    page.goto(url)
    page.wait_for_function("window.pythonDone || window.brythonFailed || document.readyState == 'complete'")
    page.wait_for_timeout(200)  # Brython's own start, at the load event, has run
    page.requested = requested
    return console, errors, page


def tracebacks(console):
    return [text for text in console if "Traceback" in text or "Error:" in text]


def test_the_compiled_app_runs_compiling_nothing_on_a_runtime_without_a_parser(browser, app_site):
    console, errors, page = visit(browser, app_site + "/compiled.html")

    assert (errors, tracebacks(console)) == ([], [])
    assert page.evaluate("window.pythonDone") is True
    assert page.evaluate("window.compiledModules") == []  # not a line of Python compiled
    assert page.evaluate("document.querySelectorAll('script[type^=\"text/python\"]').length") == 0
    # No parser, symbol table or their tables: the cut runtime's stand-ins refuse.
    assert page.evaluate("""[__BRYTHON__.compiler_cut, 'unicodedb' in __BRYTHON__,
                             String(__BRYTHON__.Parser).includes('refuse')]""") == [True, False, True]
    assert "brython.js" not in page.requested and "brython_runtime.js" in page.requested
    assert not any(name.endswith(".py") for name in page.requested)
    page.context.close()


def test_the_same_compiled_app_behaves_the_same_under_the_full_runtime(browser, app_site):
    outcomes = []
    for name in ("compiled.html", "compiled_full.html"):
        console, errors, page = visit(browser, app_site + "/" + name)
        assert (errors, tracebacks(console)) == ([], [])
        outcomes.append(page.evaluate("window.outcome"))
        assert page.evaluate("window.compiledModules") == []  # the full runtime compiles nothing either
        page.context.close()

    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:4] == [42, "__main__", "The compiled test app's script.", "compiled app"]
    assert outcomes[0][4].startswith("https://app.getresponse.com/oauth2_authorize.html?")


def test_a_traceback_names_the_apps_files_and_lines_under_either_runtime(browser, app_site):
    printed = []
    for name in ("compiled.html", "compiled_full.html"):
        console, errors, page = visit(browser, app_site + "/" + name + "#fail")
        printed.append([text for text in console if text.startswith("Traceback")])
        assert errors, "the uncaught error reaches the page, as a <script type=text/python>'s does"
        page.context.close()

    cut, full = printed
    assert len(cut) == 1 and cut[0].splitlines() == [
        "Traceback (most recent call last):",
        '  File "main.py", line 13, in <module>',
        "    helper.fail()",
        '  File "helper.py", line 6, in fail',
        '    raise ValueError("from the helper")',
        "ValueError: from the helper"]
    # The full runtime also marks the failing part of a line (it re-parses the line): the same
    # traceback otherwise.
    assert [line for line in full[0].splitlines() if set(line.strip()) - set("~^")] == cut[0].splitlines()


def test_exec_under_the_cut_runtime_is_one_clear_error(browser, app_site):
    console, errors, page = visit(browser, app_site + "/compiled.html#exec")

    [traceback] = [text for text in console if "RuntimeError" in text]
    assert 'exec("window.execed = 1")' in traceback
    assert traceback.endswith(
        "RuntimeError: Brython cannot compile <string>: this page loads brython_runtime.js, Brython "
        "without its compiler, which runs only Python compiled ahead of time (implicitflow bundle "
        "DEST --app PATH). For inline <script type=\"text/python\">, exec(), eval(), compile(), the "
        "ast module or a .py module imported from source, load the full brython.js instead "
        "(implicitflow bundle DEST, without --app)")
    assert page.evaluate("window.execed") is None
    page.context.close()


def test_an_inline_script_under_the_cut_runtime_is_one_clear_error(browser, app_site):
    console, errors, page = visit(browser, app_site + "/inline.html")

    messages = [text for text in console if "RuntimeError" in text]
    assert len(messages) == 1, console
    assert "Brython cannot compile /inline.html#__main__" in messages[0] or (
        "Brython cannot compile inline.html#__main__" in messages[0]), messages
    assert "load the full brython.js instead" in messages[0]
    page.context.close()


@pytest.mark.parametrize("name", ["no_python.html", "no_python_full.html"])
def test_a_page_with_no_python_gets_the_javascript_api(browser, app_site, name):
    console, errors, page = visit(browser, app_site + "/" + name)

    assert (errors, tracebacks(console)) == ([], [])
    page.wait_for_function("window.pythonDone")
    assert "create" in page.evaluate("window.apiKeys")
    assert page.evaluate("window.compiledModules") == []
    page.context.close()
