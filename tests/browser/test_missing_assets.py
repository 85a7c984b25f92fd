"""A page whose script or stylesheet answered 4xx or 5xx (a `vendor/brython.js` nobody wrote with
`implicitflow bundle`) stops the test at once, naming the URL and the status, in the plugin's
page fixtures (`page_watch`, `python_page`), instead of a locator's 30 s timeout."""

import re
import shutil
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from tests.browser.test_user_engines import EXAMPLES, run_pytest

from implicitflow_testing.harness._page_watch import PageWatch, PythonErrorInPage

pytestmark = pytest.mark.browser

#: A page that loads Brython a moment after it is shown, so the test is already waiting for the
#: button (which the page's Python would show) when the script answers 404.
LATE_BUNDLE = """<!doctype html><title>app</title>
<button id="sign-in" hidden>Sign in</button>
<script>setTimeout(() => document.head.append(Object.assign(document.createElement("script"),
                                                           {src: "vendor/brython.js"})), 300);</script>"""


@pytest.mark.engines("chromium", "firefox")  # WebKitWebDriver reports no responses
def test_a_script_that_answers_404_fails_the_pending_wait_at_once_naming_it(page, serve_app, tmp_path):
    (tmp_path / "index.html").write_text(LATE_BUNDLE)
    url = serve_app(tmp_path)
    watch = PageWatch(page)
    page.goto(url)
    started = time.monotonic()

    with pytest.raises(PlaywrightError) as stopped:
        page.get_by_role("button", name="Sign in").click()

    assert time.monotonic() - started < 10
    named = f"{url}/vendor/brython.js answered 404: did you run implicitflow bundle?"
    assert str(stopped.value).startswith(f"Locator.click: {named}"), stopped.value
    with pytest.raises(PythonErrorInPage, match=re.escape(named)):
        watch.check()


def test_a_stylesheet_that_answers_an_error_is_named_without_the_bundle_hint(page, serve_app, tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><link rel="stylesheet" href="missing.css"><p>app</p>')
    url = serve_app(tmp_path)
    watch = PageWatch(page, stop_on_broken_asset=False)  # as the audit watches: nothing closed
    page.goto(url)
    page.wait_for_load_state("networkidle")

    assert watch.broken_assets == [f"{url}/missing.css answered 404"]
    assert not page.is_closed()
    with pytest.raises(PythonErrorInPage, match=re.escape(f"{url}/missing.css answered 404")):
        watch.check()


def test_an_example_app_whose_bundle_was_not_written_fails_its_tests_at_once(tmp_path):
    # The user's own tests, from the example's folder, before `implicitflow bundle public/vendor`.
    shutil.copytree(EXAMPLES / "brython-app", tmp_path / "brython-app",
                    ignore=shutil.ignore_patterns("vendor"))
    started = time.monotonic()

    run = run_pytest(tmp_path / "brython-app")

    took = time.monotonic() - started
    assert run.returncode == 1, run.stdout + run.stderr
    assert "3 failed" in run.stdout or "3 error" in run.stdout, run.stdout
    assert re.search(r"/vendor/[\w.]+\.js answered 404: did you run implicitflow bundle\?", run.stdout), (
        run.stdout)
    assert "Timeout 30000ms exceeded" not in run.stdout
    assert took < 60, f"{took:.0f} s: {run.stdout}"
