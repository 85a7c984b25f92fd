"""Finding a Chromium that Playwright can drive, and the flags it needs here.

Playwright's own build is preferred when installed (the normal case on a laptop);
otherwise a system Chromium: `$IMPLICITFLOW_CHROMIUM`, then the usual names on PATH.
"""

import os
import shutil
import sys
from pathlib import Path

ENVIRONMENT_VARIABLE = "IMPLICITFLOW_CHROMIUM"
#: Set to 1 where a non-root user cannot start Chromium's sandbox either ("No usable sandbox!":
#: no unprivileged user namespaces, as under some container and AppArmor settings).
NO_SANDBOX_VARIABLE = "IMPLICITFLOW_NO_SANDBOX"
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Flags that stop background connections, which a machine without a network refuses one by one.
CONTAINER_FLAGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class ChromiumNotFound(RuntimeError):
    """No usable Chromium: the message says how to get one."""


def playwright_browsers_folder():
    configured = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if configured and configured != "0":
        return Path(configured)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"


def playwright_chromium_installed():
    """Whether `playwright install chromium` has run (looked up without starting Playwright,
    which cannot be started from inside a running sync Playwright)."""
    folder = playwright_browsers_folder()
    patterns = ("chromium-*/chrome-*/chrome", "chromium-*/chrome-*/chrome.exe",
                "chromium-*/chrome-*/Chromium.app", "chromium_headless_shell-*/chrome-*/*shell*")
    return any(any(folder.glob(pattern)) for pattern in patterns)


def find_browser(variable, playwright_installed, playwright_name, system_names, not_found):
    """(executable path or None for Playwright's own, description): the executable named by
    `$variable`, else Playwright's own build, else the first of `system_names` on PATH; else
    raises `not_found` (an exception whose message says how to get one)."""
    configured = os.environ.get(variable)
    if configured:
        if not (Path(configured).is_file() and os.access(configured, os.X_OK)):
            raise type(not_found)(f"{variable}={configured} is not an executable file")
        return configured, f"{configured} (from {variable})"
    if playwright_installed():
        return None, playwright_name
    for name in system_names:
        found = shutil.which(name)
        if found:
            return found, found
    raise not_found


def find_chromium():
    """(executable path or None for Playwright's own, description). Raises ChromiumNotFound."""
    return find_browser(ENVIRONMENT_VARIABLE, playwright_chromium_installed, "Playwright's Chromium",
                        SYSTEM_NAMES, ChromiumNotFound(
        "No Chromium found. Install one of: `python -m playwright install chromium` "
        "(Playwright's own build), `apt-get install chromium` (Debian/Ubuntu), or set "
        f"{ENVIRONMENT_VARIABLE} to the path of a Chromium or Chrome executable."))


def running_as_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def sandbox_possible():
    return not running_as_root() and os.environ.get(NO_SANDBOX_VARIABLE, "") in ("", "0")


def chromium_launch_args():
    """Keyword arguments for `playwright.chromium.launch()`.

    Pages stay in Chromium's sandbox (apps under test or audit may be hostile) unless it cannot
    start: as root Chromium refuses to start sandboxed, and IMPLICITFLOW_NO_SANDBOX=1 says so
    where a user cannot start it either. Playwright passes --no-sandbox unless
    `chromium_sandbox` is true, so it is said either way."""
    executable, _ = find_chromium()
    args = {"args": list(CONTAINER_FLAGS), "chromium_sandbox": sandbox_possible()}
    if executable:
        args["executable_path"] = executable
    return args
