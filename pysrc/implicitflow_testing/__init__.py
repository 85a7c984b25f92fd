"""implicitflow_testing: a faithful local GetResponse authorization server, and the harness
for testing browser sign-in against it.

Its layers, from the bottom (no import runs back up: tests/unit/test_testing_package_layers.py):

    serving/        `ServerThread`: an ASGI app on a background thread
    mock/           the mock server (`run_mock_server`, `MockServer`); `mock._controls` is the
                    table of its switches
    harness/        finding browsers, page checks, serving a user's app beside the mock
    audit/          the conformance kit (`audit_app`, `run_audit`, `implicitflow-audit`)
    pytest_plugin   the pytest plugin (entry point `pytest11`): fixtures for all of the above
    tools/          `implicitflow-mock` (tools.mock_cli), the demo (tools.demo), the benchmark
                    (tools.bench)

The names below are imported when first used: pytest loads this package's plugin in every
run wherever implicitflow is installed, also without the `testing` extra (Authlib, Starlette,
uvicorn) that the mock and the servers need.
"""

import importlib
from typing import Any

_MODULES = {
    "ChromiumNotFound": ".harness._chromium",
    "chromium_launch_args": ".harness._chromium",
    "find_chromium": ".harness._chromium",
    "PageWatch": ".harness._page_watch",
    "PythonErrorInPage": ".harness._page_watch",
    "ServerThread": ".serving",
    "MockOptions": ".pytest_plugin",
    "SharedClock": ".harness._shared_clock",
    "MockServer": ".mock",
    "run_mock_server": ".mock",
    "AuditFailed": ".audit",
    "AuditReport": ".audit",
    "audit_app": ".audit",
    "run_audit": ".audit",
}
__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULES[name], __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
