"""The audit report: its table, JSON, JUnit XML and pytest failure message (CPython only)."""

import json
import re
from xml.etree import ElementTree

import pytest

from implicitflow_testing.audit import AuditFailed, AuditReport, CheckResult


@pytest.fixture
def report():
    return AuditReport("http://127.0.0.1:3000/", [
        CheckResult("sign-in", "pass", "signed in", "RFC 6749 4.2", "Signs in.", 1.0),
        CheckResult("login-csrf-rejected", "fail", "the app accepted it", "RFC 6749 10.12",
                    "Refuses the attacker's callback.", 2.0),
        CheckResult("token-not-in-local-storage", "warn", "the token is in localStorage",
                    "RFC 6749 10.3", "Keeps the token out of localStorage.", 0.0),
    ], seconds=3.0)


def test_a_failed_check_fails_the_report_and_a_warning_does_not(report):
    assert not report.passed
    assert report.failed_ids == {"login-csrf-rejected"}
    assert report.warned_ids == {"token-not-in-local-storage"}
    assert AuditReport("x", [report["sign-in"], report["token-not-in-local-storage"]]).passed


def test_the_table_has_a_row_per_check_and_the_totals(report):
    lines = report.table().splitlines()

    assert lines[2].split()[:2] == ["sign-in", "PASS"]
    assert lines[3].split()[:2] == ["login-csrf-rejected", "FAIL"]
    assert lines[-1] == "3 checks: 1 passed, 1 failed, 1 warnings, in 3.0 s"


def test_raise_for_failures_names_each_failed_check_with_its_evidence(report):
    with pytest.raises(AuditFailed) as failure:
        report.raise_for_failures()

    assert "login-csrf-rejected: Refuses the attacker's callback. (RFC 6749 10.12)" in str(failure.value)
    assert "the app accepted it" in str(failure.value)
    assert "sign-in" not in str(failure.value).split("\n", 1)[1]


def test_json_and_junit(report, tmp_path):
    report.write_json(tmp_path / "a.json")
    report.write_junit(tmp_path / "a.xml")

    written = json.loads((tmp_path / "a.json").read_text())
    assert written["app"] == "http://127.0.0.1:3000/"
    assert written["checks"][1] == {"id": "login-csrf-rejected", "verdict": "fail",
                                    "evidence": "the app accepted it", "reference": "RFC 6749 10.12",
                                    "reason": "Refuses the attacker's callback."}
    suite = ElementTree.parse(tmp_path / "a.xml").getroot()
    assert [case.get("name") for case in suite] == ["sign-in", "login-csrf-rejected",
                                                     "token-not-in-local-storage"]
    assert suite.find("testcase[@name='login-csrf-rejected']/failure").get("message") == (
        "Refuses the attacker's callback.")


def test_the_check_ids_are_stable_and_each_has_a_reason_and_a_reference():
    from implicitflow_testing.audit import CHECKS

    assert [check.id for check in CHECKS] == [
        "sign-in", "denied-sign-in", "forged-state-rejected", "login-csrf-rejected",
        "callback-replay-rejected", "error-response-runs-no-script", "api-data-rendered-as-text",
        "no-open-redirect-after-sign-in", "stops-after-1014",
        "stops-after-expires-in", "token-not-in-address-bar", "token-not-in-history",
        "token-not-in-referrer", "token-not-in-referer-header", "token-not-in-performance-timeline",
        "token-not-in-console", "token-not-in-local-storage", "token-only-to-api"]
    assert all(check.reason and check.reference.startswith("RFC ") for check in CHECKS)


def test_the_audit_page_lists_every_check():
    from pathlib import Path

    from implicitflow_testing.audit import CHECKS

    readme = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")
    assert [check.id for check in CHECKS if f"| `{check.id}` |" not in readme] == []


@pytest.mark.parametrize("arguments, message", [
    (("127.0.0.1:3000", "#a", "#b"), "app_url must be an http(s) URL"),
    (("http://127.0.0.1:3000/", "", "#b"), "must be Playwright selectors"),
    (("http://127.0.0.1:3000/", "#a", "#b", {"no-such-check"}), "no such checks: no-such-check"),
])
def test_bad_arguments_are_refused_before_the_browser_is_used(arguments, message):
    from implicitflow_testing.audit import run_audit

    app_url, sign_in, signed_in, *only = arguments
    with pytest.raises(ValueError, match=re.escape(message)):
        run_audit(None, app_url, sign_in, signed_in, "http://127.0.0.1:9", only=only[0] if only else None)


def test_control_characters_in_evidence_are_escaped_where_the_result_is_made(tmp_path):
    from implicitflow_testing.audit._checks import Check
    from implicitflow_testing.audit._runner import judged

    # What a hostile app puts in a dialog or an error: a terminal title, clear screen, NUL,
    # a bidirectional override, a lone surrogate.
    hostile = "\x1b]0;owned\x07\x1b[2J\x00\u202eevil\ud800"
    check = Check("denied-sign-in", "Stays signed out.", "RFC 6749 4.2.2.1",
                  lambda run: ("fail", f"dialogs: alert: {hostile}"))

    result = judged(check, None)
    report = AuditReport("http://127.0.0.1:3000/", [result])
    report.write_junit(tmp_path / "a.xml")
    report.write_json(tmp_path / "a.json")

    escaped = r"dialogs: alert: \x1b]0;owned\x07\x1b[2J\x00\u202eevil\ud800"
    assert result.evidence == escaped
    assert escaped in report.table() and "\x1b" not in report.table()
    failure = ElementTree.parse(tmp_path / "a.xml").getroot().find("testcase/failure")
    assert failure.text.startswith(escaped)
    assert json.loads((tmp_path / "a.json").read_text())["checks"][0]["evidence"] == escaped


def test_notes_about_the_whole_audit_are_in_the_table_json_and_junit(report, tmp_path):
    report.notes = ["Chromium's sandbox is OFF: a reason."]
    report.write_json(tmp_path / "a.json")
    report.write_junit(tmp_path / "a.xml")

    assert report.table().splitlines()[1] == "note: Chromium's sandbox is OFF: a reason."
    assert json.loads((tmp_path / "a.json").read_text())["notes"] == report.notes
    assert ElementTree.parse(tmp_path / "a.xml").getroot().find("system-out").text == report.notes[0]


def test_the_browser_audited_in_is_named_in_the_table_json_and_junit(report, tmp_path):
    report.browser = "firefox 153.8.0"
    report.write_json(tmp_path / "a.json")
    report.write_junit(tmp_path / "a.xml")

    assert report.table().splitlines()[0] == "implicitflow-audit: http://127.0.0.1:3000/ in firefox 153.8.0"
    assert json.loads((tmp_path / "a.json").read_text())["browser"] == "firefox 153.8.0"
    suite = ElementTree.parse(tmp_path / "a.xml").getroot()
    assert suite.find("properties/property[@name='browser']").get("value") == "firefox 153.8.0"
    assert [case.get("name") for case in suite.iter("testcase")][0] == "sign-in"


def test_what_an_engine_cannot_do_is_not_judged_on_that_engine_and_fails():
    from types import SimpleNamespace

    from playwright.sync_api import Error as PlaywrightError

    from implicitflow_testing.audit._checks import CHECKS, Check
    from implicitflow_testing.audit._runner import ObservedSignIn, judged

    def needs_devtools(run):
        raise PlaywrightError("BrowserContext.new_cdp_session: CDP session is only available in Chromium")

    result = judged(Check("a-check", "Reason.", "RFC", needs_devtools), SimpleNamespace(engine="firefox"))
    assert (result.verdict, result.evidence) == (
        "fail", "not judged on firefox: Error: BrowserContext.new_cdp_session: CDP session is only "
                "available in Chromium")

    # A place the engine would not let the audit read is never taken for a place without the token.
    seen = ObservedSignIn(token="the-token", places={"the history entries": []},
                          unreadable={"the history entries": "on firefox: entry 2 of 4 was not reached"})
    run = SimpleNamespace(engine="firefox", observed_sign_in=lambda: seen)
    history = next(check for check in CHECKS if check.id == "token-not-in-history")
    assert judged(history, run).evidence == "not judged on firefox: entry 2 of 4 was not reached"
    assert judged(history, run).verdict == "fail"
