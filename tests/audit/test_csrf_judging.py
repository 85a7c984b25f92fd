"""The CSRF checks judge an app once it has been quiet for a while, not when its page first
settles, and count what the mock saw: API calls made with the attacker's token."""

from pathlib import Path

import httpx
import pytest

from implicitflow_testing.audit._checks import judge_injected_callback
from implicitflow_testing.audit._runner import AuditRun, AuditTarget
from tests.audit.conftest import SIGN_IN, SIGNED_IN

LATE_APP = Path(__file__).resolve().parent / "pages" / "late-callback"
CSRF_CHECKS = {"forged-state-rejected", "login-csrf-rejected"}


@pytest.mark.browser
def test_an_app_that_takes_the_attackers_callback_late_fails(implicitflow_audit, example_app):
    # It shows its sign-in control at once and takes the fragment 1.5 s later.
    report = implicitflow_audit(example_app(LATE_APP), SIGN_IN, SIGNED_IN,
                                only=CSRF_CHECKS | {"sign-in"})
    print(report.table())

    assert report.failed_ids == CSRF_CHECKS, report.table()
    for check in CSRF_CHECKS:
        assert "the mock answered 1 (200) API calls made with it" in report[check].evidence


class BackChannelSession:
    """A page that shows nothing and sends nothing with the token: the app hands it to its own
    server (here: this test), which calls the API with it."""

    requests = []

    def __init__(self, mock, token):
        self.mock, self.token = mock, token

    def visit(self, url):
        httpx.get(self.mock.api_base + "/accounts", headers={"Authorization": f"Bearer {self.token}"})

    def requests_since(self, mark):
        return []

    def is_signed_in(self):
        return False


def test_an_api_call_with_the_attackers_token_fails_though_the_browser_never_sent_it(
        getresponse_mock):
    run = AuditRun(None, AuditTarget("http://127.0.0.1:9/", SIGN_IN, SIGNED_IN, getresponse_mock))
    session = BackChannelSession(getresponse_mock, "the-attackers-token")

    verdict, evidence = judge_injected_callback(run, session, "http://127.0.0.1:9/#access_token=x",
                                                "the-attackers-token", "the attacker's token")

    assert verdict == "fail", evidence
    assert evidence == ("the app accepted it: the mock answered 1 (401) API calls made with it")


def test_api_calls_with_other_tokens_are_not_held_against_the_app(getresponse_mock):
    run = AuditRun(None, AuditTarget("http://127.0.0.1:9/", SIGN_IN, SIGNED_IN, getresponse_mock))
    session = BackChannelSession(getresponse_mock, "the-victims-own-token")

    verdict, evidence = judge_injected_callback(run, session, "http://127.0.0.1:9/#access_token=x",
                                                "the-attackers-token", "the attacker's token")

    assert verdict == "pass", evidence
