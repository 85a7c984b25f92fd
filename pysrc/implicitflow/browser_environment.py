"""The one module that talks to the browser: clock, crypto, storage, address bar, timers, fetch.

Only `browser.window` and `javascript` are used: both ship inside brython.js,
while `browser.timer`, `browser.session_storage` and friends live in the 5 MB
standard-library bundle (see docs: a page that needs it loads a second slower).
"""

import javascript

from browser import aio, window

from .errors import NetworkError

#: Where the optional inline scrub snippet leaves the fragment it took out of the URL,
#: so the token is gone from the address bar before Brython has even loaded.
STASH_NAME = "__implicitflowFragment"


def is_null(value):
    """JavaScript null/undefined. Brython does not turn them into None."""
    return value is None or value is javascript.NULL or value is javascript.UNDEFINED


class WebStorage:
    """sessionStorage or localStorage behind the `storage.MemoryStorage` interface."""

    def __init__(self, js_storage):
        self._js = js_storage

    def get(self, key):
        value = self._js.getItem(key)
        return None if is_null(value) else value

    def set(self, key, value):
        self._js.setItem(key, value)

    def remove(self, key):
        self._js.removeItem(key)

    def keys(self):
        return [self._js.key(index) for index in range(self._js.length)]


class BrowserEnvironment:
    """What `ImplicitFlow` needs from the page, taken from `window`."""

    def now(self):
        return window.Date.now() / 1000

    def random_bytes(self, count):
        array = window.Uint8Array.new(count)
        window.crypto.getRandomValues(array)
        return bytes([array[index] for index in range(count)])

    def storage(self, kind):
        return WebStorage(window.localStorage if kind == "local" else window.sessionStorage)

    # -- the address bar ---------------------------------------------------------------

    def read_fragment(self):
        stash = getattr(window, STASH_NAME, None)
        if not is_null(stash):
            return stash
        return window.location.hash

    def scrub_fragment(self):
        """Remove the fragment from the address bar and from this history entry."""
        if not is_null(getattr(window, STASH_NAME, None)):
            setattr(window, STASH_NAME, javascript.NULL)
        location = window.location
        if location.hash:
            # replaceState, not location.hash = "": the latter keeps the old entry in history.
            window.history.replaceState(javascript.NULL, "", location.pathname + location.search)

    def current_path(self):
        location = window.location
        return location.pathname + location.search

    def navigate(self, url):
        window.location.assign(url)

    # -- time --------------------------------------------------------------------------

    def set_timeout(self, seconds, callback):
        return window.setTimeout(callback, int(seconds * 1000) + 1)  # never early: round up

    def clear_timeout(self, handle):
        window.clearTimeout(handle)

    def on_wake(self, callback):
        """Call back when the tab becomes visible again: timers do not run in a sleeping tab."""
        def on_visibility_change(event):
            if window.document.visibilityState == "visible":
                callback()

        window.document.addEventListener("visibilitychange", on_visibility_change)
        window.addEventListener("pageshow", lambda event: callback())

    def on_storage_change(self, callback):
        """Call back with the key another tab changed in shared storage (None: cleared)."""
        window.addEventListener(
            "storage", lambda event: callback(None if is_null(event.key) else event.key)
        )

    def report_callback_failure(self, error):
        window.console.error("implicitflow: an event callback failed: " + type(error).__name__)

    # -- HTTP --------------------------------------------------------------------------

    def dump_json(self, value):
        return javascript.JSON.stringify(value)

    def parse_json(self, text):
        try:
            return javascript.JSON.parse(text)
        except Exception as error:  # Brython surfaces JSON.parse's SyntaxError as JavascriptError
            raise ValueError("not JSON") from error

    async def fetch(self, url, method, headers, body):
        """Returns (status, body text, X-RateLimit-Reset or None); raises NetworkError."""
        init = {"method": method, "headers": headers, "referrerPolicy": "no-referrer"}
        if body is not None:
            init["body"] = body
        try:
            response = await window.fetch(url, init)
            text = await response.text()
        except Exception:
            raise NetworkError(
                "No answer from " + url.split("?")[0] + ": the network failed or the browser "
                "blocked it. The GetResponse API sends no CORS headers, so call it through "
                "a same-origin proxy (the api_base option)."
            ) from None
        reset = response.headers.get("X-RateLimit-Reset")
        return response.status, text, None if is_null(reset) else reset


# -- the JavaScript face: helpers for javascript_api -------------------------------------


def to_javascript(value):
    """Python data as JavaScript data: dicts to objects, lists to arrays, None to null."""
    if value is None:
        return javascript.NULL
    if isinstance(value, dict):
        result = window.Object.new()
        for key, item in value.items():
            setattr(result, str(key), to_javascript(item))
        return result
    if isinstance(value, (list, tuple)):
        result = window.Array.new()
        for item in value:
            result.push(to_javascript(item))
        return result
    return value


def from_javascript(value):
    """JavaScript data (objects, arrays, strings, numbers) as Python data."""
    return javascript.JSON.parse(window.JSON.stringify(value))


def option(options, name, default=None):
    """`options[name]` of a JavaScript object, or `default` when absent, null or undefined."""
    if is_null(options):
        return default
    value = getattr(options, name, None)
    return default if is_null(value) else value


def promise(run, error_to_data):
    """A JavaScript Promise settled by `await run()`; errors reject with `error_to_data(error)`."""
    def executor(resolve, reject):
        async def settle():
            try:
                resolve(to_javascript(await run()))
            except Exception as error:
                reject(to_javascript(error_to_data(error)))

        aio.run(settle())

    return window.Promise.new(executor)


def publish(name, value, ready_event):
    """Set `window[name]`, resolve `window[name + "Ready"]` and dispatch `ready_event`."""
    setattr(window, name, value)
    resolve_ready = getattr(window, "__" + name + "ResolveReady", None)
    if not is_null(resolve_ready):
        resolve_ready(value)  # the page created the Ready promise before Brython loaded
    else:
        setattr(window, name + "Ready", window.Promise.resolve(value))
    window.dispatchEvent(window.CustomEvent.new(ready_event))
