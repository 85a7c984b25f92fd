"""`implicitflow`: put the browser files where an app serves them.

    implicitflow bundle DEST [--url PREFIX]
    implicitflow --version
"""

import argparse
import sys
from importlib import metadata

from implicitflow_bundle import LICENCE, BundleError, script_tags, sri_hash, write_bundle


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
                    "each with its pre-compressed copy (NAME.gz); print each file's size and "
                    "Subresource Integrity hash, and the <script> tags to paste into a page.")
    bundle.add_argument("dest", metavar="DEST", help="the folder to write to (created if needed)")
    bundle.add_argument("--url", default="", metavar="PREFIX",
                        help='where the page loads the files from: "vendor/", "/static/", a CDN '
                             "URL (default: beside the page)")
    return parser.parse_args(argv)


def bundle(dest, url_prefix):
    written = write_bundle(dest)
    print(f"Wrote {len(written)} files to {dest}:")
    for path in written:
        data = path.read_bytes()
        if path.name == LICENCE:
            note = "Brython's licence: keep it beside brython.js"
        elif path.suffix == ".gz":
            note = f"{path.stem} pre-compressed, for a server that sends NAME.gz"
        else:
            note = sri_hash(data)
        print(f"  {path.name:<26} {len(data):>10,} B  {note}")
    print("Paste into the page, before any script that uses implicitflow:")
    for tag in script_tags(written, url_prefix):
        print("  " + tag)
    print('A page without Python of its own also needs: <script type="text/python">import implicitflow'
          "</script>")


def main(argv=None):
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        bundle(args.dest, args.url)
    except BundleError as error:
        print(f"implicitflow: {error}", file=sys.stderr)
        return 1
    return 0
