"""The security suite reports its figures at the end of the run, for the documentation to quote."""

import pytest

FIGURES = {}


@pytest.fixture(scope="session")
def security_report():
    """`security_report["name"] = "figure"`: printed in the summary at the end."""
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("security and reliability figures")
    for name, figure in FIGURES.items():
        terminalreporter.write_line(f"{name}: {figure}")
