"""Knowing whether a page's Python failed.

A traceback at a Brython script's top level is only a console.error starting
with "Traceback" (Playwright's `pageerror` does not fire), while an exception in
a callback does fire `pageerror`: both are watched.
"""


#: Page errors that are the browser's report of a request it refused, not an error the page's
#: code raised: Firefox, driven over WebDriver BiDi, reports a fetch the same-origin policy
#: blocked as a page error of this name (the page's code sees a rejected fetch; Chromium logs
#: the same report as a console message). Kept with the console messages.
BROWSER_REPORTS = ("Cross-Origin Request Blocked",)


class PythonErrorInPage(AssertionError):
    """The page logged a Python traceback or raised an uncaught error."""


class PageWatch:
    """Collects tracebacks and page errors from a Playwright page."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        self.console = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message):
        self.console.append(message.text)
        if message.text.startswith("Traceback"):
            self.errors.append(message.text)

    def _on_page_error(self, error):
        if getattr(error, "name", None) in BROWSER_REPORTS:
            self.console.append(f"{error.name}: {error.message}")
            return
        self.errors.append(f"pageerror: {error}")

    def check(self):
        if self.errors:
            raise PythonErrorInPage("the page failed:\n" + "\n---\n".join(self.errors))

    def wait_for_flag(self, name, timeout=15000):
        """Wait until the page's Python sets `window[name]`; fail at once on a traceback."""
        waited, step = 0, 25
        while True:
            self.check()
            if self.page.evaluate("name => window[name] !== undefined", name):
                return self.page.evaluate("name => window[name]", name)
            if waited >= timeout:
                raise TimeoutError(f"window.{name} was not set within {timeout} ms")
            self.page.wait_for_timeout(step)
            waited += step
