"""A strict Content Security Policy (`script-src 'self'`, no `'unsafe-eval'`) and a Brython page:
what the README says, pinned. Even a page that compiles no Python (the plain-JavaScript example,
with `brython_runtime.js`) cannot start under it, because Brython's runtime builds code from
strings as it loads; with `'unsafe-eval'` the same page works. The day the runtime stops
evaluating strings, the first test fails and the README must change."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from implicitflow_bundle import write_bundle

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "web" / "examples" / "javascript-app" / "public"

#: Each violation the page reports: the script that tried, and what it tried ("eval").
RECORD_VIOLATIONS = """document.addEventListener("securitypolicyviolation", event => {
  (window.violations = window.violations || []).push(
    event.sourceFile.split("/").pop() + " " + event.blockedURI);
});"""


def example_under_policy(folder, policy):
    """The plain-JavaScript example, bundled with `--no-compiler`, its page under `policy`."""
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("vendor"))
    write_bundle(folder / "vendor", source=ROOT / "web" / "dist", compiler=False)
    page = (folder / "index.html").read_text(encoding="utf-8")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    (folder / "index.html").write_text(page.replace("<title>", meta + "<title>", 1), encoding="utf-8")
    return folder


@pytest.mark.engines("chromium", "firefox")
def test_under_script_src_self_the_runtime_is_refused_the_strings_it_evaluates(page, serve_app, tmp_path):
    url = serve_app(example_under_policy(tmp_path / "public", "script-src 'self'"))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(url)
    page.wait_for_load_state("networkidle")

    expect(page.locator("#status")).to_have_text("Loading…")  # the app never started
    violations = page.evaluate("window.violations || []")
    assert "brython_runtime.js eval" in violations, violations


@pytest.mark.engines("chromium", "firefox")
def test_with_unsafe_eval_the_same_page_starts(page, serve_app, tmp_path):
    url = serve_app(example_under_policy(tmp_path / "public", "script-src 'self' 'unsafe-eval'"))
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto(url)

    expect(page.locator("#status")).to_have_text("You are not signed in.")
    assert page.evaluate("window.violations || []") == []
