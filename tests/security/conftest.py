"""The security suite reports its figures at the end of the run, for the documentation to quote.

Some figures add up across tests (payloads tried, calls refused), so the suite runs on one
pytest-xdist worker (`--dist loadgroup`), and the worker hands its figures to the controller,
which prints them."""

from pathlib import Path

import pytest

FIGURES = {}
HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def security_report():
    """`security_report["name"] = "figure"`: printed in the summary at the end."""
    return FIGURES


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.xdist_group("security"))


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker
        session.config.workeroutput["security_figures"] = dict(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    FIGURES.update(getattr(node, "workeroutput", {}).get("security_figures", {}))


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("security and reliability figures")
    for name, figure in FIGURES.items():
        terminalreporter.write_line(f"{name}: {figure}")
