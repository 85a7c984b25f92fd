"""`implicitflow-mock`: the mock GetResponse server from the command line, for any test runner.

    implicitflow-mock --host 127.0.0.1 --port 9400
"""

import argparse
import collections
import dataclasses
import signal
import sys
import threading

from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._request_log import format_entry
from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.mock._state import DEFAULT_API_KEY, REQUEST_LOG_SIZE


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
                        help="a browser origin that may use the controls, with CORS headers for "
                             "it (loopback origins may always use them; CORS is off by default, "
                             "as on GetResponse)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="answer requests for this host name too, e.g. a container's service "
                             "name (loopback names are always answered)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY,
                        help=f"the account's API key (default {DEFAULT_API_KEY})")
    defaults = Limits()
    parser.add_argument("--max-header-bytes", type=int, default=defaults.max_header_bytes,
                        metavar="BYTES", help="cap on a request's line and headers (%(default)s)")
    parser.add_argument("--max-body-bytes", type=int, default=defaults.max_body_bytes,
                        metavar="BYTES", help="cap on a request body (%(default)s)")
    parser.add_argument("--header-timeout", type=float, default=defaults.header_timeout,
                        metavar="SECONDS",
                        help="time for a request's headers, or its body, to arrive (%(default)s)")
    parser.add_argument("--max-connections", type=int, default=defaults.max_connections,
                        metavar="N", help="connections open at once (%(default)s)")
    parser.add_argument("--max-tokens", type=int, default=defaults.max_tokens, metavar="N",
                        help="access tokens remembered; past it the first issued is forgotten "
                             "(%(default)s)")
    parser.add_argument("--max-refresh-tokens", type=int, default=defaults.max_refresh_tokens,
                        metavar="N", help="refresh tokens remembered; past it the least recently "
                                          "issued is forgotten (%(default)s)")
    parser.add_argument("--max-codes", type=int, default=defaults.max_codes, metavar="N",
                        help="authorization codes not yet redeemed nor expired; past it the "
                             "oldest is forgotten (%(default)s)")
    parser.add_argument("--max-rate-buckets", type=int, default=defaults.max_rate_buckets,
                        metavar="N", help="rate-limit counts (per account and MAX domain); past "
                                          "it the least recently counted is forgotten "
                                          "(%(default)s)")
    parser.add_argument("--quiet", action="store_true", help="do not print the request log")
    args = parser.parse_args(argv)
    if args.max_region and not args.max_domain:
        parser.error("--max-region needs at least one --max-domain")
    for flag in ("max_tokens", "max_refresh_tokens", "max_codes", "max_rate_buckets"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    return args


def limits_of(args):
    """The `Limits` the command line asks for: every field of Limits has its flag."""
    return Limits(**{field.name: getattr(args, field.name) for field in dataclasses.fields(Limits)})


def print_answered(answered):
    """Print the requests answered since the last call (the server thread queues them)."""
    while answered:
        print(format_entry(answered.popleft()), flush=True)


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with run_mock_server(host=args.host, port=args.port, auto_approve=args.auto_approve,
                             max_region=args.max_region, max_domains=args.max_domain,
                             allow_origins=args.allow_origin, allowed_hosts=args.allow_host,
                             api_key=args.api_key, limits=limits_of(args),
                             token_lifetime=args.token_lifetime or None) as server:
            # Printed from this thread, so a reader that stops reading stalls only the log. The
            # queue outlives /_mock/reset, so what was answered just before one is still printed.
            answered = collections.deque(maxlen=REQUEST_LOG_SIZE)
            if not args.quiet:
                server.state.log_listener = answered.append
            print(f"Mock GetResponse listening on {server.url}", flush=True)
            print(f"  authorize page: {server.authorize_url}")
            print(f"  API base:       {server.api_base}")
            print("  demo client:    client_id=demo-client client_secret=demo-secret "
                  "(redirect URIs: any http://127.0.0.1 or http://localhost URL)")
            print(f"  API key:        X-Auth-Token: api-key {server.api_key}")
            if args.max_region:
                print(f"  MAX {args.max_region.upper()}: X-Domain must be one of "
                      + ", ".join(args.max_domain))
            print("Press Ctrl-C to stop.", flush=True)
            try:
                while not stop.wait(0.2):
                    print_answered(answered)
            finally:  # Ctrl-C lands in wait(): print what was answered before it
                print_answered(answered)
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
