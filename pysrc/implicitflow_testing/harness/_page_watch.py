"""Knowing whether a page's Python failed, or never ran.

A traceback at a Brython script's top level is only a console.error starting
with "Traceback" (Playwright's `pageerror` does not fire), while an exception in
a callback does fire `pageerror`: both are watched. So are the page's scripts and
stylesheets: one that answered 4xx or 5xx (a `vendor/brython.js` nobody wrote with
`implicitflow bundle`) means the page cannot work, and the test is stopped at once,
naming it, rather than left to wait out a locator's timeout.
"""

from typing import Any

#: Page errors that are the browser's report of a request it refused, not an error the page's
#: code raised: Firefox, driven over WebDriver BiDi, reports a fetch the same-origin policy
#: blocked as a page error of this name (the page's code sees a rejected fetch; Chromium logs
#: the same report as a console message). Kept with the console messages.
BROWSER_REPORTS = ("Cross-Origin Request Blocked",)

#: Resource types whose error answer means the page cannot work: its scripts and stylesheets
#: (not fetch/XHR, whose 4xx answers an app handles, and by which Brython probes for modules).
ASSET_TYPES = ("script", "stylesheet")
#: Statuses that, asked again with HEAD, mean the asset is not there (a server may refuse HEAD
#: itself with another 4xx).
GONE = (404, 410)


def _cut_by_navigation(error: Exception) -> bool:
    """Whether a page.evaluate failed because the page navigated under it (Playwright words it
    alike in Chromium and Firefox; the tests' WebKitWebDriver page answers None instead, which
    the wait reads as "not set yet")."""
    message = str(error)
    return "Execution context was destroyed" in message or "because of a navigation" in message


def broken_asset(url: str, status: int) -> str:
    """"http://app/vendor/brython.js answered 404: did you run implicitflow bundle?" (the hint
    for the scripts `implicitflow bundle` writes)."""
    from implicitflow_bundle import SCRIPTS as BUNDLE_SCRIPTS

    path = url.split("?")[0].split("#")[0]
    name = path.rsplit("/", 1)[-1]
    # The bundle's scripts, and an app's Python compiled by `implicitflow bundle --app` (app.py:
    # app.brython.js).
    written = name in BUNDLE_SCRIPTS or name.endswith(".brython.js")
    hint = ": did you run implicitflow bundle?" if status == 404 and written else ""
    return f"{path} answered {status}{hint}"


def is_broken_asset(response: Any) -> bool:
    """Whether a Playwright response is a script or stylesheet that answered 4xx or 5xx."""
    return response.status >= 400 and response.request.resource_type in ASSET_TYPES


class PythonErrorInPage(AssertionError):
    """The page logged a Python traceback, raised an uncaught error, or one of its scripts or
    stylesheets answered an error."""


class PageWatch:
    """Collects tracebacks, page errors, console messages and broken assets from a Playwright page.

    `stop_on_broken_asset` (the default): when a script or stylesheet of the page answers 4xx or
    5xx, the page is closed at once with that as the reason, so whatever the test is waiting for
    (a `goto`, a `click`) fails now with "Locator.click: http://.../vendor/brython.js answered
    404: did you run implicitflow bundle?", and `check()` raises it too. The audit, which
    reports such a page rather than failing on it, passes False.
    """

    def __init__(self, page: Any, stop_on_broken_asset: bool = True) -> None:
        self.page = page
        self.errors: list[str] = []  # tracebacks and uncaught errors
        self.console: list[str] = []
        self.broken_assets: list[str] = []  # "URL answered 404[: hint]", in the order they answered
        self.stop_on_broken_asset = stop_on_broken_asset
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _on_console(self, message: Any) -> None:
        self.console.append(message.text)
        if message.text.startswith("Traceback"):
            self.errors.append(message.text)

    def _on_page_error(self, error: Any) -> None:
        if getattr(error, "name", None) in BROWSER_REPORTS:
            self.console.append(f"{error.name}: {error.message}")
            return
        self.errors.append(f"pageerror: {error}")

    def _on_response(self, response: Any) -> None:
        if is_broken_asset(response):
            self._broken(response.url, response.status)

    def _on_request_failed(self, request: Any) -> None:
        """Chromium refuses a stylesheet that answered an error as text/plain under
        `X-Content-Type-Options: nosniff` (as `implicitflow serve` sends) before Playwright sees
        the answer: the request only fails. Its status is asked again, with HEAD; a request
        that failed for another reason (the page stopped loading it) answers 200 there."""
        if request.resource_type not in ASSET_TYPES:
            return
        try:
            if request.response() is not None:  # seen as a response already (Firefox)
                return
            answer = self.page.request.head(request.url, max_redirects=5)
        except Exception:  # Playwright's Error: the page or the server is gone, nothing to name
            return
        if answer.status in GONE or answer.status >= 500:
            self._broken(request.url, answer.status)

    def _broken(self, url: str, status: int) -> None:
        found = broken_asset(url, status)
        self.broken_assets.append(found)
        if self.stop_on_broken_asset and len(self.broken_assets) == 1:
            try:
                self.page.close(reason=found)
            except Exception:  # closed already, or a page of a driver without `reason`
                pass

    def check(self) -> None:
        """Raise `PythonErrorInPage` if the page failed: broken assets first (they explain
        the errors that follow them), then tracebacks and uncaught errors."""
        failures = self.broken_assets + self.errors
        if failures:
            raise PythonErrorInPage("the page failed:\n" + "\n---\n".join(failures))

    def wait_for_flag(self, name: str, timeout: int = 15000) -> Any:
        """Wait until the page's Python sets `window[name]`; fail at once on a traceback.

        The page may navigate while it is waited for (a sign-in's redirect back, the callback
        snippet's fresh document): the flag is the new document's, so a read that the navigation
        cut short is asked again."""
        waited, step = 0, 25
        while True:
            self.check()
            try:
                if self.page.evaluate("name => window[name] !== undefined", name):
                    return self.page.evaluate("name => window[name]", name)
            except Exception as error:  # Playwright's Error: only a navigation is waited out
                if not _cut_by_navigation(error):
                    raise
            if waited >= timeout:
                raise TimeoutError(f"window.{name} was not set within {timeout} ms")
            self.page.wait_for_timeout(step)
            waited += step
