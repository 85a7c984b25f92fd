"""Finding a Firefox or a WebKit that Playwright can drive (Chromium: `_chromium`).

Firefox: Playwright's own build when installed; otherwise a stock Firefox (`$IMPLICITFLOW_FIREFOX`,
then `firefox-esr` or `firefox` on PATH), which Playwright drives over WebDriver BiDi with
`channel="moz-firefox"`. Measured with Debian's Firefox ESR 153: Playwright 1.58 to 1.64 drive
it; from 1.65 every new page fails (`emulation.setMediaFeaturesOverride: unknown command`), so
that pair is refused here with the fix, rather than at the first page.

WebKit: only Playwright's own build (Playwright cannot drive a stock WebKit); without it the
message says what to install.
"""

import os
import re
import subprocess
from importlib import metadata

from implicitflow_testing.harness._chromium import find_browser, playwright_browsers_folder

FIREFOX_ENVIRONMENT_VARIABLE = "IMPLICITFLOW_FIREFOX"
FIREFOX_SYSTEM_NAMES = ("firefox-esr", "firefox")
#: The Playwright releases that drive a stock Firefox (the `moz-firefox` channel, over BiDi).
STOCK_FIREFOX_PLAYWRIGHT = ((1, 58), (1, 65))
#: The newest stock Firefox measured to fail under Playwright 1.65 (ESR 153).
NEWEST_FIREFOX_FAILING_PLAYWRIGHT_1_65 = 153
PLAYWRIGHT_RANGE_FOR_STOCK_FIREFOX = "playwright>=1.58,<1.65"

#: Preferences of the profile Playwright makes for a stock Firefox. Background connections
#: (updates, telemetry, safe browsing) are refused one by one on a machine without a network.
FIREFOX_PREFERENCES = {
    "app.update.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
}


class BrowserNotFound(RuntimeError):
    """No usable browser of the engine asked for: the message says how to get one."""


def playwright_version():
    try:
        text = metadata.version("playwright")
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def _installed(patterns):
    folder = playwright_browsers_folder()
    return any(any(folder.glob(pattern)) for pattern in patterns)


def playwright_firefox_installed():
    """Whether `playwright install firefox` has run (looked up without starting Playwright)."""
    return _installed(("firefox-*/firefox/firefox", "firefox-*/firefox/firefox.exe",
                       "firefox-*/firefox/Nightly.app"))


def playwright_webkit_installed():
    """Whether `playwright install webkit` has run (looked up without starting Playwright)."""
    return _installed(("webkit-*/pw_run.sh", "webkit-*/Playwright.exe", "webkit-*/Playwright.app"))


def firefox_major_version(executable):
    """The major version a Firefox executable reports (`Mozilla Firefox 153.8.0esr`), or None."""
    try:
        output = subprocess.run([executable, "--version"], capture_output=True, text=True,
                                timeout=30, env={**os.environ, "MOZ_HEADLESS": "1"}).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"(\d+)\.\d+", output)
    return int(found.group(1)) if found else None


def find_firefox():
    """(executable path or None for Playwright's own, description). Raises BrowserNotFound."""
    return find_browser(FIREFOX_ENVIRONMENT_VARIABLE, playwright_firefox_installed,
                        "Playwright's Firefox", FIREFOX_SYSTEM_NAMES, BrowserNotFound(
        "No Firefox found. Install one of: `python -m playwright install firefox` (Playwright's "
        "own build), `apt-get install firefox-esr` (Debian/Ubuntu; driven with "
        f"{PLAYWRIGHT_RANGE_FOR_STOCK_FIREFOX}), or set {FIREFOX_ENVIRONMENT_VARIABLE} to the path "
        "of a Firefox executable."))


def check_playwright_drives_stock_firefox(executable, version=None, firefox_major=None):
    """Raise BrowserNotFound, naming the fix, where this Playwright cannot drive this Firefox."""
    version = version or playwright_version()
    low, high = STOCK_FIREFOX_PLAYWRIGHT
    if version is None or version < low:
        raise BrowserNotFound(
            f"A stock Firefox ({executable}) is driven by Playwright 1.58 or later (over WebDriver "
            f"BiDi); this is Playwright {'.'.join(map(str, version or ())) or 'none'}. Run: "
            f"pip install '{PLAYWRIGHT_RANGE_FOR_STOCK_FIREFOX}', or install Playwright's own "
            "Firefox (python -m playwright install firefox).")
    if version >= high:
        major = firefox_major if firefox_major is not None else firefox_major_version(executable)
        if major is None or major <= NEWEST_FIREFOX_FAILING_PLAYWRIGHT_1_65:
            raise BrowserNotFound(
                f"Playwright {'.'.join(map(str, version))} cannot drive this stock Firefox "
                f"({executable}, version {major or 'unknown'}): from Playwright 1.65 every new "
                "page fails with `emulation.setMediaFeaturesOverride: unknown command`. Run: "
                f"pip install '{PLAYWRIGHT_RANGE_FOR_STOCK_FIREFOX}', or install Playwright's own "
                "Firefox (python -m playwright install firefox).")


def firefox_launch_args():
    """Keyword arguments for `playwright.firefox.launch()`: nothing for Playwright's own Firefox,
    the `moz-firefox` channel, the executable and quiet preferences for a stock one."""
    executable, _ = find_firefox()
    if not executable:
        return {}
    check_playwright_drives_stock_firefox(executable)
    return {"channel": "moz-firefox", "executable_path": executable,
            "firefox_user_prefs": dict(FIREFOX_PREFERENCES)}


def webkit_launch_args():
    """Keyword arguments for `playwright.webkit.launch()` (none); raises BrowserNotFound without
    Playwright's WebKit, the only WebKit Playwright drives."""
    if not playwright_webkit_installed():
        raise BrowserNotFound(
            "No WebKit that Playwright can drive: install Playwright's own, "
            "`python -m playwright install --with-deps webkit`. (Playwright cannot drive a stock "
            "WebKit such as Debian's WebKitGTK.)")
    return {}


def launch_args(browser_name):
    """`browser_type.launch()` keyword arguments for one of Playwright's browser names."""
    if browser_name == "firefox":
        return firefox_launch_args()
    if browser_name == "webkit":
        return webkit_launch_args()
    from implicitflow_testing.harness._chromium import chromium_launch_args

    return chromium_launch_args()
