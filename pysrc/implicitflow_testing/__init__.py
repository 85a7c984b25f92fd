"""implicitflow_testing: a faithful local GetResponse authorization server, and the harness
(Chromium discovery, static site, pytest plugin, CLI, benchmark) for testing browser sign-in."""

from .chromium import ChromiumNotFound, chromium_launch_args, find_chromium
from .mock_server import MockServer, run_mock_server
from .page_watch import PageWatch, PythonErrorInPage
from .server_thread import ServerThread

__all__ = [
    "ChromiumNotFound",
    "MockServer",
    "PageWatch",
    "PythonErrorInPage",
    "ServerThread",
    "chromium_launch_args",
    "find_chromium",
    "run_mock_server",
]
