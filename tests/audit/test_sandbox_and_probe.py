"""The audited app runs in Chromium's sandbox unless it cannot start (as root), and the report
says when it is off; the probe that hostile payloads call has a new name in every audit."""

from pathlib import Path

import pytest

from implicitflow_testing.audit._runner import AuditRun, AuditTarget
from implicitflow_testing.harness import _chromium
from tests.audit.conftest import SIGN_IN, SIGNED_IN

HOLES_APP = Path(__file__).resolve().parent / "pages" / "holes"


@pytest.mark.parametrize("user_id, no_sandbox, sandboxed", [
    (1000, "", True), (1000, "0", True), (0, "", False), (1000, "1", False)])
def test_chromium_is_sandboxed_except_as_root_or_when_told(monkeypatch, user_id, no_sandbox, sandboxed):
    monkeypatch.setattr(_chromium.os, "geteuid", lambda: user_id, raising=False)
    monkeypatch.setenv(_chromium.NO_SANDBOX_VARIABLE, no_sandbox)
    monkeypatch.setattr(_chromium, "find_chromium", lambda: (None, "Playwright's Chromium"))

    # Playwright adds --no-sandbox unless `chromium_sandbox` is true.
    assert _chromium.chromium_launch_args()["chromium_sandbox"] is sandboxed


@pytest.mark.browser
def test_the_report_says_whether_the_app_ran_outside_the_sandbox(implicitflow_audit, example_app,
                                                                 browser_name):
    # pytest-playwright's Chromium is launched as the audit's own is (harness._chromium).
    report = implicitflow_audit(example_app(HOLES_APP), SIGN_IN, SIGNED_IN, only={"denied-sign-in"})

    if browser_name != "chromium":  # only Chromium shows its sandbox to a page
        assert report.notes == [
            f"{browser_name.capitalize()}'s sandbox: not checked (only Chromium shows the audit "
            "its sandbox, at chrome://sandbox); audit apps you do not trust as an ordinary user."]
    elif _chromium.running_as_root():
        assert report.notes == [
            "Chromium's sandbox is OFF: the audit runs as root, where Chromium's sandbox cannot "
            "start. The audited app's pages run unconfined; audit apps you do not trust as an "
            "ordinary user."]
        assert report.table().splitlines()[1].startswith("note: Chromium's sandbox is OFF")
    else:
        assert report.notes == []


@pytest.mark.browser
def test_an_app_cannot_find_the_probe_by_a_known_name(browser, example_app, getresponse_mock):
    target = AuditTarget(example_app(HOLES_APP), SIGN_IN, SIGNED_IN, getresponse_mock)
    first, second = AuditRun(browser, target), AuditRun(browser, target)

    with first.session() as session:
        session.open_app()
        names = session.page.evaluate("Object.keys(window)")
        probe_type = session.page.evaluate("name => typeof window[name]", first.probe)

    assert first.probe != second.probe
    assert probe_type == "function" and first.probe in names  # a global an app can list
    assert not [name for name in names if "audit" in name.lower() or "implicitflow" in name.lower()]
