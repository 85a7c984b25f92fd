"""`implicitflow`: put the browser files where an app serves them, and serve an app.

    implicitflow bundle DEST [--url PREFIX] [--app PATH [PATH ...] | --no-compiler]
    implicitflow serve DIR [--api-path PATH] [--upstream URL | --max us|pl --domain D | --mock [URL]]
    implicitflow --version
"""

import argparse
import sys
from importlib import metadata

from implicitflow_bundle import (
    LICENCE,
    RUNTIME,
    BundleError,
    compile_app,
    script_tags,
    sri_hash,
    write_bundle,
)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="implicitflow",
        description="implicitflow's browser files: Brython's runtime and the implicitflow package.")
    parser.add_argument("--version", action="version",
                        version="implicitflow " + metadata.version("implicitflow"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bundle = commands.add_parser(
        "bundle", help="write the browser files into a folder and print the <script> tags",
        description="Write brython.js (with its licence) and implicitflow.brython.js into DEST, "
                    "each with its pre-compressed copies (NAME.gz, NAME.br); print each file's size and "
                    "Subresource Integrity hash, and the <script> tags to paste into a page. "
                    "With --app, the app's Python is compiled ahead of time into one script "
                    "(app.py: app.brython.js) and the runtime is brython_runtime.js, Brython "
                    "without its compiler: the page compiles no Python, and cannot.")
    bundle.add_argument("dest", metavar="DEST", help="the folder to write to (created if needed)")
    bundle.add_argument("--url", default="", metavar="PREFIX",
                        help='where the page loads the files from: "vendor/", "/static/", a CDN '
                             "URL (default: beside the page)")
    compiled = bundle.add_mutually_exclusive_group()
    compiled.add_argument("--app", nargs="+", metavar="PATH",
                          help="the app's Python, compiled ahead of time (needs "
                               "implicitflow[bundle]): first its script, a .py file the page "
                               "runs once it is parsed, then any modules it imports (files, or "
                               "folders of them; modules beside the script are found without)")
    compiled.add_argument("--no-compiler", action="store_true",
                          help=f"write {RUNTIME} (Brython without its compiler) instead of "
                               "brython.js, for a page with no Python of its own (plain JavaScript)")
    serve = commands.add_parser(
        "serve", help="serve an app's folder with its same-origin GetResponse API proxy",
        description="Serve DIR (pre-compressed NAME.br and NAME.gz, ETag, security headers) and proxy "
                    "API_PATH/* to the GetResponse API, as the app is deployed. Needs the server "
                    "extra: pip install 'implicitflow[server]'.")
    serve.add_argument("dir", metavar="DIR", help="the app's folder (its pages and what "
                                                  "`implicitflow bundle` wrote)")
    serve.add_argument("--api-path", default="/api/getresponse", metavar="PATH",
                       help="where the app calls the API (default %(default)s)")
    upstream = serve.add_mutually_exclusive_group()
    upstream.add_argument("--upstream", metavar="URL",
                          help="the API base (default https://api.getresponse.com/v3)")
    upstream.add_argument("--max", choices=["us", "pl"], dest="max_region",
                          help="GetResponse MAX's API in that region (needs --domain)")
    upstream.add_argument("--mock", nargs="?", const="", metavar="URL",
                          help="proxy to a mock GetResponse: the implicitflow-mock at URL, or "
                               "(no URL) one started here; prints the client id and redirect "
                               "URI to use")
    serve.add_argument("--domain", metavar="HOST",
                       help="GetResponse MAX's custom domain, sent as X-Domain with every call")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="a Host name to answer besides loopback ones, e.g. app.example.com "
                            "(repeatable)")
    serve.add_argument("--fallback", metavar="FILE",
                       help="answer every path that names no file with this one, e.g. index.html")
    serve.add_argument("--header", action="append", default=[], metavar="NAME:VALUE",
                       help="set a response header on every answer; an empty VALUE removes one "
                            "of the defaults (repeatable)")
    return parser.parse_args(argv)


def serve(args):
    try:
        from implicitflow_server._serve_command import ServeError
        from implicitflow_server._serve_command import serve as run_server
    except ImportError as error:
        print(f"implicitflow serve needs the server extra ({error.name} is missing): "
              "pip install 'implicitflow[server]'", file=sys.stderr)
        return 1
    try:
        run_server(args)
    except (ServeError, ValueError) as error:
        print(f"implicitflow serve: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"implicitflow serve: cannot start: {error}", file=sys.stderr)
        return 1
    return 0


def bundle(dest, url_prefix, app_paths=None, no_compiler=False):
    app = compile_app(app_paths) if app_paths else None
    written = write_bundle(dest, app=app, compiler=not (app or no_compiler))
    print(f"Wrote {len(written)} files to {dest}:")
    for path in written:
        data = path.read_bytes()
        if path.name == LICENCE:
            note = "Brython's licence: keep it beside the runtime"
        elif path.suffix in (".gz", ".br"):
            note = f"{path.stem} pre-compressed, for a server that sends NAME{path.suffix}"
        else:
            note = sri_hash(data)
        print(f"  {path.name:<26} {len(data):>10,} B  {note}")
    if app is not None:
        print(f"Compiled into {app.name}: {app_paths[0]} (its script) and "
              + (", ".join(app.modules) + " (modules)" if app.modules else "no other module"))
        for name in app.missing:
            print(f"Warning: the app imports {name}, which neither the app nor brython.js holds: "
                  f"under {RUNTIME} that import fails (pass it with --app if it is the app's)",
                  file=sys.stderr)
    print("Paste into the page, before any script that uses implicitflow:")
    for tag in script_tags(written, url_prefix):
        print("  " + tag)
    if app is not None:
        print(f"The page runs {app_paths[0]} once it is parsed: it needs no <script type=\"text/python\">, "
              f"and must have none ({RUNTIME} cannot compile Python).")
    else:
        print("A page with no Python of its own needs nothing more: implicitflowReady resolves once "
              "the page is parsed.")


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    if args.command == "serve":
        return serve(args)
    try:
        bundle(args.dest, args.url, args.app, args.no_compiler)
    except BundleError as error:
        print(f"implicitflow: {error}", file=sys.stderr)
        return 1
    return 0
