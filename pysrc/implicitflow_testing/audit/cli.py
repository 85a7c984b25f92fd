"""`implicitflow-audit`: run the implicit-flow checks against a running app, from any CI.

    implicitflow-audit --app http://127.0.0.1:3000/ --sign-in "text=Sign in" --signed-in "#account" \
        --mock http://127.0.0.1:9400 --json audit.json --junit audit.xml

Exits 0 only when every required check passes (warnings allowed), 1 when one fails, 2 when the
audit cannot start (bad arguments, no such browser, mock unreachable).
"""

import argparse
import contextlib
import sys

from implicitflow_testing.audit._checks import CHECKS
from implicitflow_testing.audit._remote_mock import MockUnreachable, RemoteMock
from implicitflow_testing.audit._runner import ENGINES, audit_app, audit_launch_args
from implicitflow_testing.harness._browsers import BrowserNotFound
from implicitflow_testing.harness._chromium import ChromiumNotFound
from implicitflow_testing.mock import run_mock_server


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="implicitflow-audit",
        description="Audit a browser app's OAuth2 implicit-flow sign-in against the mock GetResponse.")
    parser.add_argument("--app", required=True, metavar="URL", help="the app's page with the sign-in control")
    parser.add_argument("--sign-in", required=True, metavar="SELECTOR",
                        help='Playwright selector to click to sign in, e.g. "text=Sign in"')
    parser.add_argument("--signed-in", required=True, metavar="SELECTOR",
                        help='Playwright selector that appears once signed in, e.g. "#account"')
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--mock", metavar="URL",
                       help="a running mock (implicitflow-mock) the app is configured to use")
    where.add_argument("--mock-port", type=int, default=0, metavar="N",
                       help="start a mock on this port (default: a free one) and print its URLs")
    parser.add_argument("--client-id", metavar="ID",
                        help="the app's client id: registered with the mock unless it knows it "
                             "(its own mock knows only demo-client)")
    parser.add_argument("--redirect-uri", action="append", metavar="URI",
                        help="a redirect URI the app sends with --client-id (repeatable; "
                             "default: the --app URL)")
    parser.add_argument("--json", metavar="FILE", help="write the report as JSON")
    parser.add_argument("--junit", metavar="FILE", help="write the report as JUnit XML")
    parser.add_argument("--token-origin", action="append", default=[], metavar="ORIGIN",
                        help="another origin that may receive the token, e.g. your API proxy at "
                             "https://api.example.com (repeatable)")
    parser.add_argument("--timeout", type=float, default=15, metavar="SECONDS",
                        help="how long to wait for the app at each step (default 15)")
    parser.add_argument("--check", action="append", choices=[check.id for check in CHECKS],
                        metavar="ID", help="run only this check (repeatable)")
    parser.add_argument("--browser", choices=ENGINES, default="chromium",
                        help="the browser engine to audit in (default chromium; firefox: "
                             "Playwright's or a stock firefox-esr; webkit: Playwright's only)")
    parser.add_argument("--headed", action="store_true", help="show the browser")
    args = parser.parse_args(argv)
    if args.redirect_uri and not args.client_id:
        parser.error("--redirect-uri needs --client-id")
    return args


@contextlib.contextmanager
def mock_for(args):
    """The mock to judge with: the one at --mock, or one started here."""
    if args.mock:
        with contextlib.closing(RemoteMock(args.mock)) as remote:
            remote.requests()  # fails here, clearly, if no mock answers there
            yield remote
        return

    with run_mock_server(port=args.mock_port) as server:
        print(f"Mock GetResponse started: authorize URL {server.authorize_url}, API {server.api_base}, "
              "client demo-client / demo-secret (any http://127.0.0.1 redirect URI)"
              + (f", and the app's client {args.client_id}" if args.client_id else
                 "; another client id: --client-id"))
        yield server


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        audit_launch_args(args.browser)  # a browser that cannot be had: said before any mock starts
        with mock_for(args) as mock:
            report = audit_app(args.app, args.sign_in, args.signed_in, mock, headless=not args.headed,
                               browser=args.browser, timeout_ms=int(args.timeout * 1000),
                               token_origins=args.token_origin,
                               only=set(args.check) if args.check else None,
                               client_id=args.client_id, redirect_uri=args.redirect_uri)
    except (ChromiumNotFound, BrowserNotFound, MockUnreachable, OSError, ValueError) as error:
        print(f"implicitflow-audit: cannot run: {error}", file=sys.stderr)
        return 2
    print(report.table())
    if args.json:
        report.write_json(args.json)
    if args.junit:
        report.write_junit(args.junit)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
