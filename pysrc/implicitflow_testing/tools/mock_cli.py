"""`implicitflow-mock`: the mock GetResponse server from the command line, for any test runner.

    implicitflow-mock --host 127.0.0.1 --port 9400
"""

import argparse
import signal
import sys
import threading

from implicitflow_testing.mock._request_log import format_entry
from implicitflow_testing.mock._server import run_mock_server


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="implicitflow-mock",
        description="A local mock of GetResponse's OAuth2 authorization server and API. "
                    "Failure switches are under /_mock/ (see the README).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9400, help="port; 0 picks a free one (default 9400)")
    parser.add_argument("--auto-approve", action="store_true", help="skip the consent page")
    parser.add_argument("--token-lifetime", type=int, metavar="SECONDS",
                        help="lifetime of new tokens (default: 3600 / 86400 as GetResponse)")
    parser.add_argument("--max-region", choices=["us", "pl"],
                        help="act as a GetResponse MAX environment (needs --max-domain)")
    parser.add_argument("--max-domain", action="append", default=[], metavar="HOST",
                        help="a MAX custom domain, e.g. acme.getresponse360.com (repeatable)")
    parser.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                        help="send CORS headers for this origin (off by default, as GetResponse)")
    parser.add_argument("--quiet", action="store_true", help="do not print the request log")
    args = parser.parse_args(argv)
    if args.max_region and not args.max_domain:
        parser.error("--max-region needs at least one --max-domain")
    return args


def print_new_requests(server, printed, quiet):
    """Print the requests logged since `printed` of them were; returns the new count."""
    total, entries = server.state.request_total, server.requests()
    if not quiet:
        for entry in entries[max(0, len(entries) - (total - printed)):]:
            print(format_entry(entry), flush=True)
    return total


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with run_mock_server(host=args.host, port=args.port, auto_approve=args.auto_approve,
                             max_region=args.max_region, max_domains=args.max_domain,
                             allow_origins=args.allow_origin) as server:
            if args.token_lifetime:
                server.set_token_lifetime(args.token_lifetime)
            print(f"Mock GetResponse listening on {server.url}", flush=True)
            print(f"  authorize page: {server.authorize_url}")
            print(f"  API base:       {server.api_base}")
            print("  demo client:    client_id=demo-client client_secret=demo-secret "
                  "(redirect URIs: any http://127.0.0.1 or http://localhost URL)")
            if args.max_region:
                print(f"  MAX {args.max_region.upper()}: X-Domain must be one of "
                      + ", ".join(args.max_domain))
            print("Press Ctrl-C to stop.", flush=True)
            printed = 0
            while not stop.wait(0.2):
                printed = print_new_requests(server, printed, args.quiet)
            print_new_requests(server, printed, args.quiet)
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"implicitflow-mock: cannot listen on {args.host}:{args.port}: {error}",
              file=sys.stderr)
        return 1
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
