"""The audit's verdicts: one `CheckResult` per check, an `AuditReport` that prints as a table,
writes JSON and JUnit XML, and fails a pytest test with the reasons."""

import json
import re
import textwrap
from dataclasses import asdict, dataclass, field
from xml.etree import ElementTree

PASS, FAIL, WARN = "pass", "fail", "warn"

#: What a report must not carry as it is: C0 and C1 controls (terminal escape sequences; not
#: allowed in XML), lone surrogates and U+FFFE / U+FFFF (not XML either), and bidirectional
#: overrides (they reorder what a terminal shows).
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def escape_unprintable(text):
    """`text` with each unprintable character written as its escape: ESC as \\x1b."""
    return UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


@dataclass(frozen=True)
class CheckResult:
    id: str
    verdict: str  # PASS, FAIL or WARN
    evidence: str
    reference: str
    reason: str
    seconds: float = 0.0


class AuditFailed(AssertionError):
    """Raised by `AuditReport.raise_for_failures()`: the message is the table of failed checks."""


@dataclass
class AuditReport:
    app: str
    checks: list = field(default_factory=list)
    seconds: float = 0.0
    notes: list = field(default_factory=list)  # about the whole audit (e.g. the sandbox is off)
    browser: str = ""  # the engine and version the app was audited in: "firefox 153.8.0"

    @property
    def failed_ids(self):
        return {check.id for check in self.checks if check.verdict == FAIL}

    @property
    def warned_ids(self):
        return {check.id for check in self.checks if check.verdict == WARN}

    @property
    def passed(self):
        """True when no required check failed (warnings allowed)."""
        return not self.failed_ids

    def __getitem__(self, check_id):
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def table(self, only=None):
        """The report as aligned text: check, verdict, evidence (wrapped)."""
        shown = [c for c in self.checks if only is None or c.verdict in only]
        width = max([len(c.id) for c in shown] + [5])
        title = f"implicitflow-audit: {self.app}" + (f" in {self.browser}" if self.browser else "")
        lines = [title, *(f"note: {note}" for note in self.notes),
                 f"{'check':<{width}}  verdict  evidence"]
        for check in shown:
            wrapped = textwrap.wrap(check.evidence, 100 - width) or [""]
            lines.append(f"{check.id:<{width}}  {check.verdict.upper():<7}  {wrapped[0]}")
            lines += [" " * (width + 11) + more for more in wrapped[1:]]
        failed, warned = len(self.failed_ids), len(self.warned_ids)
        lines.append(f"{len(self.checks)} checks: {len(self.checks) - failed - warned} passed, "
                     f"{failed} failed, {warned} warnings, in {self.seconds:.1f} s")
        return "\n".join(lines)

    __str__ = table

    def raise_for_failures(self):
        """Raise `AuditFailed` listing each failed check with its evidence and reference."""
        if self.failed_ids:
            details = "\n".join(f"  {c.id}: {c.reason} ({c.reference})\n    {c.evidence}"
                                for c in self.checks if c.verdict == FAIL)
            raise AuditFailed(f"{self.app} failed {len(self.failed_ids)} checks:\n{details}")

    def to_json(self):
        return {"app": self.app, "browser": self.browser, "seconds": round(self.seconds, 2),
                "notes": self.notes,
                "checks": [{key: value for key, value in asdict(check).items() if key != "seconds"}
                           for check in self.checks]}

    def write_json(self, path):
        with open(path, "w", encoding="utf-8") as file:
            json.dump(self.to_json(), file, indent=2)
            file.write("\n")

    def write_junit(self, path):
        """One testcase per check; a failure element for FAIL, a system-out note for WARN."""
        suite = ElementTree.Element("testsuite", name="implicitflow-audit", tests=str(len(self.checks)),
                                    failures=str(len(self.failed_ids)), errors="0",
                                    time=f"{self.seconds:.2f}")
        if self.browser:
            properties = ElementTree.SubElement(suite, "properties")
            ElementTree.SubElement(properties, "property", name="browser", value=self.browser)
        for check in self.checks:
            case = ElementTree.SubElement(suite, "testcase", classname=self.app, name=check.id,
                                          time=f"{check.seconds:.2f}")
            if check.verdict == FAIL:
                failure = ElementTree.SubElement(case, "failure", message=check.reason)
                failure.text = f"{check.evidence}\n{check.reference}"
            elif check.verdict == WARN:
                ElementTree.SubElement(case, "system-out").text = f"WARNING: {check.evidence}"
        if self.notes:
            ElementTree.SubElement(suite, "system-out").text = "\n".join(self.notes)
        ElementTree.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
