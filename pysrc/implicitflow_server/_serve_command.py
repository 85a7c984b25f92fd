"""`implicitflow serve`: an app's folder and its GetResponse API proxy under uvicorn, for a
person clicking through the app, for `implicitflow-audit --app`, and for a first deployment."""

import contextlib
import logging
import re
import sys
from pathlib import Path

import uvicorn

from ._api_proxy import GETRESPONSE_API, MAX_APIS
from ._app import server_app
from ._one_write import OneWriteHttpToolsProtocol

#: A MAX custom domain as GetResponse wants it in `X-Domain`: a bare host, no scheme or path.
DOMAIN = re.compile(r"^(?!www\.)(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class ServeError(Exception):
    """A configuration `implicitflow serve` cannot start with; the message says what to change."""


def upstream_of(args):
    """(API base, X-Domain or None) from --upstream, --max and --domain."""
    if args.max_region:
        domain = (args.domain or "").strip().lower()
        if not DOMAIN.match(domain):
            raise ServeError("--max needs --domain, the MAX custom domain as a bare host name "
                             f"such as acme.getresponse360.com (got {args.domain!r})")
        return MAX_APIS[args.max_region], domain
    if args.domain:
        raise ServeError("--domain is GetResponse MAX's custom domain: give --max us or --max pl too")
    return args.upstream or GETRESPONSE_API, None


def security_headers(pairs):
    headers = {}
    for pair in pairs:
        name, separator, value = pair.partition(":")
        if not separator or not re.fullmatch(r"[A-Za-z0-9-]+", name.strip()):
            raise ServeError(f"--header takes NAME:VALUE (an empty VALUE removes a default), "
                             f"got {pair!r}")
        headers[name.strip()] = value.strip()
    return headers


@contextlib.contextmanager
def mock_upstream(mock_url, host):
    """The mock GetResponse to proxy to: the one at `mock_url`, or one started here."""
    if mock_url:
        yield mock_url.rstrip("/"), None
        return
    try:
        from implicitflow_testing.mock import run_mock_server
    except ImportError:
        raise ServeError("--mock without a URL starts a mock GetResponse, which needs the testing "
                         "extra: pip install 'implicitflow[testing]' (or give the URL of a "
                         "running implicitflow-mock)") from None
    with run_mock_server(host=host) as mock:
        yield mock.url, mock


def serve(args):
    folder = Path(args.dir)
    if not folder.is_dir():
        raise ServeError(f"{args.dir!r} is not a folder")
    headers = security_headers(args.header)
    with contextlib.ExitStack() as stack:
        if args.mock is not None:
            mock_url, started = stack.enter_context(mock_upstream(args.mock, args.host))
            upstream, x_domain = mock_url + "/v3", None
        else:
            (upstream, x_domain), mock_url, started = upstream_of(args), None, None
        app = server_app(folder, args.api_path, upstream, x_domain=x_domain,
                         allowed_hosts=args.allow_host, headers=headers, fallback=args.fallback)
        site = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
        print(f"Serving {folder.resolve()} at {site}/")
        print(f"API proxy:  {args.api_path.rstrip('/')}/* -> {upstream}/*"
              + (f"  (X-Domain: {x_domain})" if x_domain else ""))
        print(f"Host names: {', '.join(sorted(app.allowed_hosts))} (add yours with --allow-host)")
        if mock_url:
            print(f"Mock GetResponse: {mock_url}" + ("  (started here)" if started else ""))
            print(f"  sign-in page:  {mock_url}/oauth2_authorize.html  (the app's authorize URL)")
            print("  client_id:     demo-client  (secret demo-secret)")
            print(f"  redirect_uri:  {site}/  (or any other http URL on a loopback host)")
        print("Press Ctrl-C to stop.", flush=True)
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
        # A log line per request: its record need not name the caller's source line, thread or
        # process, which cost more to find than the line costs to write (the "Optimization"
        # section of the logging HOWTO). Only in this process, which is the command's own.
        logging._srcfile = None
        logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
        logging.logAsyncioTasks = False
        uvicorn.run(app, host=args.host, port=args.port, access_log=False, lifespan="on",
                    log_level="warning", server_header=False, http=OneWriteHttpToolsProtocol)
