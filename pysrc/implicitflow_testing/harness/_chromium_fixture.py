"""The `browser_type_launch_args` override that points pytest-playwright at a usable Chromium.

Registered by the plugin at configure time, after pytest-playwright, so that
this definition is the one pytest picks; it extends pytest-playwright's own.
"""

import pytest

from implicitflow_testing.harness._chromium import ChromiumNotFound, chromium_launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    if browser_name not in (None, "chromium"):
        return browser_type_launch_args
    try:
        ours = chromium_launch_args()
    except ChromiumNotFound as error:
        pytest.fail(str(error), pytrace=False)
    merged = {**ours, **browser_type_launch_args}
    merged["args"] = ours["args"] + list(browser_type_launch_args.get("args", []))
    return merged
