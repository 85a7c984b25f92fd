"""A user's tests on another engine: how the plugin finds a browser for pytest-playwright's own
`--browser firefox` (implicitflow_testing.harness._browsers), and how a browser that cannot be had
is reported. The example apps' tests run in Firefox from the installed wheel
(tests/installed/test_installed_product.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from implicitflow_testing.harness import _browsers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "web" / "examples"
DIST = ROOT / "web" / "dist"


def run_pytest(folder, *options):
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *options],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def test_browser_webkit_without_playwrights_webkit_fails_saying_what_to_install(tmp_path):
    if _browsers.playwright_webkit_installed():
        pytest.fail("Playwright's WebKit is installed here: this test is about a machine without it",
                    pytrace=False)
    (tmp_path / "test_app.py").write_text("def test_app(python_page):\n    pass\n")

    run = run_pytest(tmp_path, "--browser", "webkit")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "python -m playwright install --with-deps webkit" in run.stdout, run.stdout


# -- finding a Firefox ----------------------------------------------------------------------

@pytest.fixture
def no_playwright_browsers(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))
    monkeypatch.delenv(_browsers.FIREFOX_ENVIRONMENT_VARIABLE, raising=False)


def test_a_stock_firefox_on_path_is_driven_over_bidi(no_playwright_browsers, monkeypatch):
    monkeypatch.setattr(shutil, "which",
                        lambda name: "/usr/bin/firefox-esr" if name == "firefox-esr" else None)
    monkeypatch.setattr(_browsers, "playwright_version", lambda: (1, 64))

    args = _browsers.firefox_launch_args()

    assert (args["channel"], args["executable_path"]) == ("moz-firefox", "/usr/bin/firefox-esr")


def test_playwrights_own_firefox_comes_first(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.delenv(_browsers.FIREFOX_ENVIRONMENT_VARIABLE, raising=False)
    (tmp_path / "firefox-1500" / "firefox").mkdir(parents=True)
    (tmp_path / "firefox-1500" / "firefox" / "firefox").write_text("")

    assert _browsers.find_firefox() == (None, "Playwright's Firefox")
    assert _browsers.firefox_launch_args() == {}


def test_implicitflow_firefox_names_the_executable(monkeypatch, tmp_path):
    monkeypatch.setenv(_browsers.FIREFOX_ENVIRONMENT_VARIABLE, str(tmp_path / "missing"))

    with pytest.raises(_browsers.BrowserNotFound, match="IMPLICITFLOW_FIREFOX=.* is not an executable"):
        _browsers.find_firefox()


def test_no_firefox_says_what_to_install(no_playwright_browsers, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)

    with pytest.raises(_browsers.BrowserNotFound) as raised:
        _browsers.find_firefox()

    assert "python -m playwright install firefox" in str(raised.value)
    assert "apt-get install firefox-esr" in str(raised.value)


@pytest.mark.parametrize(("playwright", "firefox", "refused"), [
    ((1, 57), 153, True),   # no moz-firefox channel yet
    ((1, 58), 153, False),
    ((1, 64), 153, False),
    ((1, 65), 153, True),   # new_page: emulation.setMediaFeaturesOverride: unknown command
    ((1, 65), 160, False),  # a newer Firefox may know it: Playwright is left to try
])
def test_which_playwright_drives_a_stock_firefox(playwright, firefox, refused):
    def check():
        _browsers.check_playwright_drives_stock_firefox(
            "/usr/bin/firefox-esr", version=playwright, firefox_major=firefox)

    if refused:
        with pytest.raises(_browsers.BrowserNotFound, match=r"pip install 'playwright>=1\.58,<1\.65'"):
            check()
    else:
        check()


def test_the_firefox_version_is_read_from_the_executable():
    found = shutil.which("firefox-esr") or shutil.which("firefox")
    if found is None:
        pytest.fail("no firefox-esr or firefox on PATH (./dev.sh test installs firefox-esr)",
                    pytrace=False)

    assert _browsers.firefox_major_version(found) >= 100


def test_the_benchmark_on_an_engine_it_cannot_have_says_what_to_install(tmp_path):
    if _browsers.playwright_webkit_installed():
        pytest.fail("Playwright's WebKit is installed here: this test is about a machine without it",
                    pytrace=False)

    run = subprocess.run([sys.executable, "-m", "implicitflow_testing.tools.bench", "--runs", "1",
                          "--dist", str(DIST), "--browser", "webkit"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)

    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.startswith("benchmark failed: No WebKit that Playwright can drive"), run.stderr
    assert "python -m playwright install --with-deps webkit" in run.stderr
