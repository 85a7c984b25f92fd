"""The site the demo serves: a build given with --dist, or the installed one, which is the
pages installed with this package (tools/web, put there by the wheel build, with their Python
compiled ahead of time) beside the installed browser bundle (implicitflow_bundle): both
runtimes, brython.js for the pages that compile Python and brython_runtime.js for those that
do not."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from implicitflow_bundle import BundleError, write_bundle

INSTALLED_PAGES = Path(__file__).resolve().parent / "web"


class SiteNotFound(Exception):
    """No site to serve; the message says what to run."""


@contextmanager
def site_folder(dist=None):
    """A folder holding the whole site, for as long as the `with` lasts."""
    if dist is not None:
        if not (Path(dist) / "index.html").is_file():
            raise SiteNotFound(f"{dist} has no index.html: is it a build? (`python build.py` "
                               "writes web/dist in a source checkout)")
        yield Path(dist)
        return
    if not (INSTALLED_PAGES / "index.html").is_file():
        raise SiteNotFound("this installation has no demo pages (an editable install from a "
                           "source checkout? there, run `python build.py` and pass --dist web/dist)")
    with tempfile.TemporaryDirectory(prefix="implicitflow-site-") as scratch:
        shutil.copytree(INSTALLED_PAGES, scratch, dirs_exist_ok=True)
        try:
            write_bundle(scratch)
            write_bundle(scratch, compiler=False)
        except BundleError as error:
            raise SiteNotFound(str(error)) from None
        yield Path(scratch)
