"""The audit in Firefox (Playwright's, or a stock firefox-esr driven over WebDriver BiDi) judges
every check, with Chromium's verdicts. Each whole audit takes a minute or two, so two run here:
the Brython example app, which passes every check, through `run_audit` in a Firefox; and
the holes app with every hole it can combine, through `implicitflow-audit --browser firefox`,
which fails exactly the checks those holes fail one by one in Chromium (test_each_check.py,
test_open_redirect.py). A WebKit that Playwright cannot drive is refused, saying why."""

import json
import shutil
from pathlib import Path

import pytest

from implicitflow_bundle import write_bundle
from implicitflow_testing.audit import run_audit
from implicitflow_testing.harness import _browsers
from tests.audit.conftest import EXAMPLES, SIGN_IN, SIGNED_IN
from tests.audit.test_cli import audit_cli
from tests.audit.test_each_check import FAILS, HOLES_APP

ROOT = Path(__file__).resolve().parents[2]

#: The holes that can be open together, and what each fails on its own in Chromium.
COMBINED = {**{hole: FAILS[hole] for hole in (
    "ignore-state", "crash-on-error", "html-error", "html-api-data", "ignore-expiry",
    "token-in-query", "log-token", "token-to-third-party")},
    "follow-return-to": {"no-open-redirect-after-sign-in"}}


@pytest.fixture
def brython_example(tmp_path, example_app):
    """web/examples/brython-app's public/ after `implicitflow bundle public/vendor --app
    public/app.py` (as its own tests say), served with
    the same-origin proxy to the mock's API it calls (/api/getresponse)."""
    public = tmp_path / "public"
    shutil.copytree(EXAMPLES / "brython-app" / "public", public, ignore=shutil.ignore_patterns("vendor"))
    write_bundle(public / "vendor", source=ROOT / "web" / "dist", app=[public / "app.py"])
    return example_app(public)


@pytest.mark.browser
def test_the_brython_example_passes_every_check_in_firefox(engine_browser, brython_example,
                                                           getresponse_mock):
    report = run_audit(engine_browser("firefox"), brython_example,
                       'role=button[name="Sign in with GetResponse"]', "text=Signed in as",
                       getresponse_mock, client_id="example-app")
    print(report.table())

    assert report.browser.startswith("firefox ")
    assert (report.failed_ids, report.warned_ids) == (set(), set()), report.table()
    assert not [check.id for check in report.checks if "not judged" in check.evidence]


@pytest.mark.browser
def test_the_holes_app_fails_in_firefox_what_its_holes_fail_in_chromium(example_app, getresponse_mock,
                                                                       tmp_path):
    url = example_app(HOLES_APP) + "?holes=" + ",".join(COMBINED)

    done = audit_cli("--app", url, "--sign-in", SIGN_IN, "--signed-in", SIGNED_IN, "--mock",
                     getresponse_mock.url, "--browser", "firefox", "--json", str(tmp_path / "a.json"))
    print(done.stdout, done.stderr)

    assert done.returncode == 1, done.stdout + done.stderr
    written = json.loads((tmp_path / "a.json").read_text())
    assert written["browser"].startswith("firefox ")
    failed = {check["id"] for check in written["checks"] if check["verdict"] == "fail"}
    assert failed == set().union(*COMBINED.values()), done.stdout
    assert len(failed) == 15 and not [c for c in written["checks"] if "not judged" in c["evidence"]]


def test_webkit_without_playwrights_webkit_is_refused_saying_why():
    if _browsers.playwright_webkit_installed():
        pytest.fail("Playwright's WebKit is installed here: this test is about a machine without it",
                    pytrace=False)

    done = audit_cli("--app", "http://127.0.0.1:9/", "--sign-in", "a", "--signed-in", "b",
                     "--browser", "webkit")

    assert done.returncode == 2
    assert done.stderr.startswith("implicitflow-audit: cannot run: the audit runs in WebKit only "
                                  "as Playwright's own build (python -m playwright install "
                                  "--with-deps webkit). A stock WebKit is driven only through "
                                  "WebKitWebDriver"), done.stderr
    assert "Mock GetResponse started" not in done.stdout  # refused before anything started
