"""The `browser_type_launch_args` override that points pytest-playwright at a usable browser.

Registered by the plugin at configure time, after pytest-playwright, so that
this definition is the one pytest picks; it extends pytest-playwright's own. Chromium as
`_chromium` finds it; with `--browser firefox`, Playwright's Firefox or a stock one (`_browsers`);
with `--browser webkit`, Playwright's WebKit. A browser that cannot be had fails the test with
what to install.
"""

import pytest

from implicitflow_testing.harness._browsers import (
    BrowserNotFound,
    firefox_launch_args,
    webkit_launch_args,
)
from implicitflow_testing.harness._chromium import ChromiumNotFound, chromium_launch_args


def _ours(browser_name, channel):
    if browser_name in (None, "chromium"):
        return chromium_launch_args()
    if browser_name == "firefox" and channel in (None, "moz-firefox"):
        return firefox_launch_args()
    if browser_name == "webkit":
        return webkit_launch_args()
    return {}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    try:
        ours = _ours(browser_name, browser_type_launch_args.get("channel"))
    except (ChromiumNotFound, BrowserNotFound) as error:
        pytest.fail(str(error), pytrace=False)
    merged = {**ours, **browser_type_launch_args}
    if "args" in ours:
        merged["args"] = ours["args"] + list(browser_type_launch_args.get("args", []))
    return merged
