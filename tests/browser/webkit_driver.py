"""WebKit without Playwright's WebKit: Debian's WebKitGTK through `WebKitWebDriver` (W3C WebDriver,
driven by Selenium) under Xvfb, behind the small part of Playwright's sync `Page` API that the
browser tests use, so that the same test bodies run on it.

What WebDriver offers differently, and how this stands in for it:
- Init scripts (`add_init_script`): WebKitWebDriver has no preload scripts, so the site's server
  (`InitScriptServer`) writes the context's init scripts at the top of every HTML page's <head>,
  where they run before the page's own scripts, as Playwright's do (only on the site's pages: the
  mock's consent page gets none, which the tests never need).
- Console messages and page errors: a first injected script records them in the page; they are
  handed to `on("console")` / `on("pageerror")` handlers after each command. Messages of a
  document left before the next command are not seen.
- A new context per test: the session's first window (a tab WebDriver opens cannot open popups
  in WebKitGTK), its other windows closed and the storage and cookies of the site and the mocks
  cleared afterwards.
- `context.expect_page()`: WebKit opens a window only from a user gesture, so a script run inside
  `expect_page()` runs from a click on a button put over the page (a WebDriver click is one).
Not offered (tests that need them are not run on this driver): `clock`, `route`, `response`
events, `request` events.
"""

import contextlib
import os
import re
import shutil
import subprocess
import time
import warnings

from selenium import webdriver
from selenium.common.exceptions import (
    JavascriptException,
    NoSuchWindowException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.webkitgtk.options import Options
from selenium.webdriver.webkitgtk.service import Service

#: Records console messages and uncaught errors for `WebDriverPage`; runs first in every page.
RECORDER = """(() => {
  if (window.__engineLog) return;
  const log = window.__engineLog = [];
  for (const type of ["log", "info", "warn", "error", "debug"]) {
    const original = console[type];
    console[type] = function (...args) {
      log.push({kind: "console", type, text: args.map(String).join(" ").slice(0, 20000)});
      return original.apply(this, args);
    };
  }
  const clip = (text) => String(text).slice(0, 2000);
  addEventListener("error", (event) => log.push({kind: "pageerror", text: clip(event.message)}));
  addEventListener("unhandledrejection",
                   (event) => log.push({kind: "pageerror", text: clip(event.reason)}));
})();"""

#: Runs `source` in the page as Playwright's evaluate does: a function is called with the
#: argument, anything else is evaluated as a script; promises are awaited; the value comes back
#: as JSON (an Error as its name, message and own properties; what JSON cannot hold, as null).
EVALUATE = """const [source, argument, done] = arguments;
const plain = (value) => {
  if (value === undefined) return null;
  const seen = new WeakSet();
  const replace = (key, item) => {
    if (item instanceof Error) {
      item = Object.assign({name: item.name, message: item.message, stack: item.stack}, item);
    }
    if (typeof item === "object" && item !== null) {
      if (seen.has(item)) return undefined;  // a cycle (Brython's objects have some)
      seen.add(item);
    }
    return item;
  };
  try {
    return JSON.parse(JSON.stringify(value, replace) ?? "null");
  } catch (error) {
    return null;
  }
};
try {
  let value;
  if (/^\\s*(async\\s+)?(function\\b|\\([^)]*\\)\\s*=>|[\\w$]+\\s*=>)/.test(source)) {
    value = (0, eval)("(" + source + ")")(argument);
  } else {
    value = (0, eval)(source);
  }
  Promise.resolve(value).then((result) => done({value: plain(result)}),
                              (error) => done({error: String(error && error.stack || error)}));
} catch (error) {
  done({error: String(error && error.stack || error)});
}"""

#: Runs `source` (as EVALUATE does, its value dropped) from a click: a user gesture.
GESTURE_BUTTON = """const [source] = arguments;
const button = document.createElement("button");
button.id = "__engineGesture";
button.textContent = "go";
button.style.cssText = "position:fixed;left:0;top:0;width:40px;height:40px;z-index:2147483647";
button.onclick = () => {
  button.remove();
  if (/^\\s*(async\\s+)?(function\\b|\\([^)]*\\)\\s*=>|[\\w$]+\\s*=>)/.test(source)) {
    (0, eval)("(" + source + ")")();
  } else {
    (0, eval)(source);
  }
};
document.documentElement.appendChild(button);
return button;"""


class WebDriverError(AssertionError):
    """What Playwright would raise as playwright.sync_api.Error."""


def glob_to_regex(pattern):
    """Playwright's URL glob: `**` any characters, `*` any but "/"."""
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("^" + "".join(out) + "$")


def wait_until_done(condition, timeout_ms, what):
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout_ms} ms")
        time.sleep(0.05)


class Message:
    def __init__(self, entry):
        self.text = entry["text"]
        self.type = entry.get("type", "error")


class Locator:
    def __init__(self, page, xpath, description):
        self.page = page
        self.xpath = xpath
        self.description = description

    def _element(self, timeout=30000):
        def visible():
            self.page._activate()
            try:
                for element in self.page.driver.find_elements("xpath", self.xpath):
                    if element.is_displayed():
                        return element
            except (StaleElementReferenceException, JavascriptException):
                pass  # the document changed under the lookup: look again
            return None

        return wait_until_done(visible, timeout, f"{self.description} to be visible")

    def click(self, timeout=30000):
        self._element(timeout).click()
        self.page._drain()

    def inner_text(self, timeout=30000):
        return self._element(timeout).text


class WebDriverPage:
    """One window of the WebDriver session, shaped like Playwright's sync `Page`."""

    def __init__(self, context, handle):
        self.context = context
        self.driver = context.driver
        self.handle = handle
        self._handlers = {"console": [], "pageerror": []}
        self._closed = False

    # -- plumbing --
    def _activate(self):
        if self._closed:
            raise WebDriverError("the page is closed")
        try:
            current = self.driver.current_window_handle
        except NoSuchWindowException:  # the window commands went to closed itself
            current = None
        if current != self.handle:
            self.driver.switch_to.window(self.handle)

    def _drain(self):
        try:
            self._activate()
            entries = self.driver.execute_script(
                "return window.__engineLog ? window.__engineLog.splice(0) : []")
        except (JavascriptException, NoSuchWindowException, WebDriverError):
            return
        for entry in entries or []:
            for handler in self._handlers.get(entry["kind"], []):
                handler(Message(entry) if entry["kind"] == "console" else entry["text"])

    def on(self, event, handler):
        if event in self._handlers:
            self._handlers[event].append(handler)
        # "response" and "request": WebDriver has no network events (tests needing them are
        # not run here); their handlers are never called.

    # -- Playwright's Page, the part the tests use --
    @property
    def url(self):
        self._activate()
        return self.driver.current_url

    def goto(self, url):
        self._drain()
        self._activate()
        self.driver.get(url)
        self._drain()

    def go_back(self):
        self._drain()
        self._activate()
        self.driver.back()
        self.wait_for_load_state()

    def evaluate(self, expression, argument=None):
        if self.context._gesture:
            self._activate()
            self.driver.execute_script(GESTURE_BUTTON, expression).click()
            self._drain()
            return None
        self._activate()
        try:
            result = self.driver.execute_async_script(EVALUATE, expression, argument)
        except WebDriverException as error:
            if "unload" in str(error).lower() or "navigat" in str(error).lower():
                return None  # the script navigated away, as Playwright's evaluate allows
            raise WebDriverError(str(error)) from None
        finally:
            self._drain()
        if result is None:
            return None
        if "error" in result:
            raise WebDriverError(result["error"])
        return result["value"]

    def wait_for_function(self, expression, timeout=30000, **_):
        return wait_until_done(lambda: self.evaluate(expression), timeout, expression)

    def wait_for_load_state(self, state="load", timeout=30000):
        self._activate()
        wait_until_done(lambda: self.driver.execute_script("return document.readyState") == "complete",
                   timeout, "the page to load")

    def wait_for_url(self, pattern, timeout=30000, wait_until="load"):
        wanted = glob_to_regex(pattern) if isinstance(pattern, str) else pattern
        wait_until_done(lambda: wanted.match(self.url), timeout, f"the URL {pattern}")
        if wait_until != "commit":
            self.wait_for_load_state(timeout=timeout)
        self._drain()

    def wait_for_timeout(self, ms):
        time.sleep(ms / 1000)
        if not self.is_closed():
            self._drain()

    def get_by_role(self, role, name):
        if role != "button":
            raise NotImplementedError(f"get_by_role({role!r}) on WebDriver")
        literal = f'"{name}"' if '"' not in name else f"'{name}'"
        return Locator(self, f"//button[normalize-space(.)={literal}]"
                             f" | //input[(@type='submit' or @type='button') and @value={literal}]",
                       f"the button {name!r}")

    def locator(self, selector):
        if not re.fullmatch(r"#[\w-]+", selector):
            raise NotImplementedError(f"locator({selector!r}) on WebDriver: only #id")
        return Locator(self, f"//*[@id='{selector[1:]}']", selector)

    def add_init_script(self, script):
        self.context.add_init_script(script)  # a context's, not only this page's

    def is_closed(self):
        return self._closed or self.handle not in self.driver.window_handles

    def close(self):
        if self.is_closed():
            self._closed = True
            return
        self._activate()
        self.driver.close()
        self._closed = True
        remaining = self.driver.window_handles
        if remaining:
            self.driver.switch_to.window(remaining[0])

    @property
    def clock(self):
        raise NotImplementedError("Playwright's clock has no WebDriver counterpart")


class WebDriverContext:
    """The windows of one test, shaped like Playwright's `BrowserContext`."""

    def __init__(self, session):
        self.session = session
        self.driver = session.driver
        self._pages = []
        self._gesture = False
        session.server_scripts.clear()

    @property
    def pages(self):
        return [page for page in self._pages if not page.is_closed()]

    def new_page(self):
        if self.pages:
            self.driver.switch_to.new_window("tab")
        else:
            # The session's first window: in WebKitGTK a tab WebDriver opened cannot open a
            # popup (window.open returns null even from a click).
            self.driver.switch_to.window(self.session.main_handle)
        page = WebDriverPage(self, self.driver.current_window_handle)
        self._pages.append(page)
        return page

    def add_init_script(self, script):
        self.session.server_scripts.append(script)

    @contextlib.contextmanager
    def expect_page(self, timeout=30000):
        before = set(self.driver.window_handles)
        holder = _Opened()
        self._gesture = True
        try:
            yield holder
        finally:
            self._gesture = False
        handle = wait_until_done(lambda: next(iter(set(self.driver.window_handles) - before), None),
                            timeout, "a new page")
        page = WebDriverPage(self, handle)
        self._pages.append(page)
        holder.value = page

    def route(self, *_, **__):
        raise NotImplementedError("WebDriver cannot answer requests in place of a server")

    def close(self):
        """Close this test's other windows; clear the storage and cookies of the site and the
        mocks, which outlive a test in the session's first window."""
        main = self.session.main_handle
        for handle in self.driver.window_handles:
            if handle != main:
                self.driver.switch_to.window(handle)
                self.driver.close()
        self.driver.switch_to.window(main)
        for origin in self.session.origins:
            self.driver.get(origin + "/__engine_reset__")
            self.driver.execute_script("localStorage.clear(); sessionStorage.clear();")
            self.driver.delete_all_cookies()
        self.driver.get("about:blank")


class _Opened:
    value = None


class InitScriptServer:
    """ASGI middleware: the current init scripts at the top of every HTML page's <head>, no
    compression and no caching (a cached page would keep another test's scripts)."""

    def __init__(self, app, scripts):
        self.app = app
        self.scripts = scripts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        dropped = {b"accept-encoding", b"if-none-match", b"if-modified-since", b"range"}
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in dropped]}
        start = {}
        body = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return None
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            return await self._send(start, b"".join(body), send)

        await self.app(scope, receive, capture)

    async def _send(self, start, body, send):
        headers = [(k, v) for k, v in start.get("headers", [])]
        content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
        if content_type.startswith(b"text/html"):
            tags = "".join(f"<script>{script}</script>" for script in [RECORDER, *self.scripts])
            text = body.decode("utf-8")
            found = re.search(r"<head[^>]*>", text, re.IGNORECASE)
            at = found.end() if found else 0
            body = (text[:at] + tags + text[at:]).encode("utf-8")
            headers = [(k, v) for k, v in headers
                       if k.lower() not in (b"content-length", b"etag", b"last-modified", b"cache-control")]
            headers += [(b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class WebKitSession:
    """Xvfb (unless there is a display) and one WebKitWebDriver session for the whole run."""

    def __init__(self, init_scripts, origins=()):
        self.server_scripts = init_scripts
        self.origins = list(origins)
        self._xvfb = None
        environment = dict(os.environ)
        if not environment.get("DISPLAY"):
            environment["DISPLAY"] = self._start_xvfb()
        service = Service(executable_path=find_webkit_webdriver(), env=environment)
        with warnings.catch_warnings():
            # Selenium's own WebKitGTK driver sets a RemoteConnection argument it deprecates.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.driver = webdriver.WebKitGTK(options=Options(), service=service)
        self.main_handle = self.driver.current_window_handle
        self.driver.set_script_timeout(30)
        self.driver.set_page_load_timeout(60)

    def _start_xvfb(self):
        xvfb = shutil.which("Xvfb")
        if not xvfb:
            raise WebKitDriverNotFound(
                "WebKitWebDriver needs a display and no Xvfb was found: apt-get install xvfb")
        read, write = os.pipe()
        self._xvfb = subprocess.Popen([xvfb, "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                                       "-nolisten", "tcp"], pass_fds=(write,),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as stream:
            number = stream.readline().strip()
        if not number:
            raise WebKitDriverNotFound("Xvfb did not start")
        return ":" + number

    def version(self):
        return self.driver.capabilities.get("browserVersion")

    def quit(self):
        try:
            self.driver.quit()
        finally:
            if self._xvfb:
                self._xvfb.terminate()
                self._xvfb.wait(timeout=10)


class WebKitDriverNotFound(RuntimeError):
    pass


def find_webkit_webdriver():
    found = shutil.which("WebKitWebDriver")
    if not found:
        raise WebKitDriverNotFound(
            "No WebKit to test on: neither Playwright's WebKit (python -m playwright install "
            "--with-deps webkit) nor WebKitWebDriver (apt-get install webkit2gtk-driver xvfb) "
            "is installed; ./dev.sh test installs the latter as root on Debian/Ubuntu.")
    return found
