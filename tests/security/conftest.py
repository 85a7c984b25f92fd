"""The security suite runs on one pytest-xdist worker (`--dist loadgroup`): some of the figures
it reports (`security_report`, in tests/conftest.py) add up across its tests."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.xdist_group("security"))
