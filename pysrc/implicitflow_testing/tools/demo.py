"""The demo: the mock GetResponse and the demo app side by side on 127.0.0.1.

    python -m implicitflow_testing.tools.demo [--port 8000] [--mock-port 9400] [--token-lifetime 90] [--max]

The app is the installed one (its pages and the installed browser bundle), or a build
given with `--dist DIR` (a checkout's web/dist), served with ETag and gzip,
plus `/config.js` (where the mock is) and `/api/getresponse/*`, a same-origin
proxy to the mock's API: the real GetResponse API sends no CORS headers.
"""

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from implicitflow_server import server_app
from implicitflow_testing.mock._server import run_mock_server
from implicitflow_testing.serving import ServerThread
from implicitflow_testing.tools._site import SiteNotFound, site_folder

MAX_DOMAIN = "acme.getresponse360.com"


def demo_app(dist, mock, expiring_margin, max_region=None):
    config = {
        "clientId": "demo-client",
        "authorizeUrl": mock.authorize_url,
        "apiBase": "/api/getresponse",
        "expiringMargin": expiring_margin,
        "maxDomain": MAX_DOMAIN if max_region else None,
        "maxRegion": max_region,
    }
    script = "window.demoConfig = " + json.dumps(config) + ";\n"

    async def config_js(request):
        return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    return server_app(dist, "/api/getresponse", mock.api_base,
                      x_domain=MAX_DOMAIN if max_region else None,
                      routes=[Route("/config.js", config_js)])


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m implicitflow_testing.tools.demo",
                                     description="Run the demo app against a local mock GetResponse.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="the demo app's port (default 8000)")
    parser.add_argument("--mock-port", type=int, default=9400, help="the mock's port (default 9400)")
    parser.add_argument("--token-lifetime", type=int, metavar="SECONDS",
                        help="short-lived tokens to watch expiry happen, e.g. 90")
    parser.add_argument("--expiring-margin", type=int, default=60, metavar="SECONDS",
                        help="warn this long before expiry (default 60)")
    parser.add_argument("--max", choices=["us", "pl"], dest="max_region",
                        help=f"GetResponse MAX mode, custom domain {MAX_DOMAIN}")
    parser.add_argument("--auto-approve", action="store_true", help="skip the consent page")
    parser.add_argument("--dist", type=Path, metavar="DIR",
                        help="serve this build (e.g. web/dist after `python build.py`) instead of "
                             "the installed pages and bundle")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with site_folder(args.dist) as dist, run_mock_server(
                host=args.host, port=args.mock_port, auto_approve=args.auto_approve,
                max_region=args.max_region,
                max_domains=[MAX_DOMAIN] if args.max_region else ()) as mock:
            if args.token_lifetime:
                mock.set_token_lifetime(args.token_lifetime)
            app = demo_app(dist, mock, args.expiring_margin, args.max_region)
            with ServerThread(app, host=args.host, port=args.port) as site:
                print(f"Demo app:          {site.url}/  (plain JavaScript: {site.url}/plain.html)")
                print(f"Mock GetResponse:  {mock.url}  (controls under {mock.url}/_mock/)")
                print("Demo client:       client_id=demo-client client_secret=demo-secret")
                if args.max_region:
                    print(f"GetResponse MAX {args.max_region.upper()}: X-Domain {MAX_DOMAIN}")
                print("Open the demo app URL in a browser. Press Ctrl-C to stop.", flush=True)
                stop.wait()
    except KeyboardInterrupt:
        pass
    except SiteNotFound as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Cannot start: {error} (is the port in use? try --port / --mock-port)", file=sys.stderr)
        return 1
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
