"""The conformance kit: run implicit-flow attacks against your own app in Chromium or Firefox
(or Playwright's WebKit), judged by the mock GetResponse's knowledge of the tokens it issued and
the API calls it received.

    report = audit_app("http://127.0.0.1:3000/", sign_in="text=Sign in",
                       signed_in="#account", mock="http://127.0.0.1:9400", browser="firefox")
    print(report.table()); report.raise_for_failures()

`run_audit(browser, ...)` does the same in a Playwright browser you already have; the pytest
fixture `implicitflow_audit` and the CLI `implicitflow-audit` (audit.cli) wrap it.
"""

from ._checks import CHECKS
from ._remote_mock import MockUnreachable, RemoteMock
from ._report import AuditFailed, AuditReport, CheckResult
from ._runner import audit_app, run_audit

__all__ = ["CHECKS", "AuditFailed", "AuditReport", "CheckResult", "MockUnreachable", "RemoteMock",
           "audit_app", "run_audit"]
