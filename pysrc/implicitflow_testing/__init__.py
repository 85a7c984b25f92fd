"""implicitflow_testing: a faithful local GetResponse authorization server, and the harness
for testing browser sign-in against it.

    mock/      the mock server (`run_mock_server`, `MockServer`)
    harness/   Chromium discovery, page checks, serving an app, the pytest plugin
    tools/     `implicitflow-mock` (tools.mock_cli), the demo (tools.demo), the benchmark (tools.bench)
"""

from .harness._chromium import ChromiumNotFound, chromium_launch_args, find_chromium
from .harness._page_watch import PageWatch, PythonErrorInPage
from .harness._server_thread import ServerThread
from .mock import MockServer, run_mock_server

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
