"""A stand-in for the page (`browser_environment.BrowserEnvironment`) under CPython.

It plays the browser, not our code: an address bar with history, sessionStorage
and localStorage, a clock that tests move, timers that fire only when the clock
passes them, and a fetch that answers from a script.
"""

import json
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from implicitflow.errors import NetworkError, PopupTimeoutError
from implicitflow.storage import MemoryStorage


class FakeBrowser:
    def __init__(self, url="https://app.example/callback", now=1_700_000_000.0):
        self.url = url
        self.history = [url]
        self.clock = now
        self.session = MemoryStorage()
        self.local = MemoryStorage()
        self.timers = {}
        self._next_timer = 1
        self.navigations = []
        self.wake_callbacks = []
        self.storage_callbacks = []
        self.responses = []
        self.sent = []
        self.callback_failures = []
        self.timers_early_by = 0.0  # real timers may fire a little early against Date.now()

    # the address bar, and the answer taken out of it (kept for every flow of the page)
    taken = None

    def arrive(self, url):
        """A new document at `url`: what the last one held in memory is gone."""
        self.url = url
        self.history.append(url)
        self.taken = None

    def read_fragment(self):
        if self.taken is not None:
            return self.taken
        return "#" + self.url.split("#", 1)[1] if "#" in self.url else ""

    def scrub_fragment(self, fragment):
        self.taken = fragment
        self.url = self.url.split("#", 1)[0]
        self.history[-1] = self.url

    def release_fragment(self):
        self.taken = None

    def current_path(self):
        return "/" + self.url.split("://", 1)[1].split("/", 1)[1].split("#")[0]

    def navigate(self, url):
        self.navigations.append(url)

    # popups: `popup_answers` are what popups send back, in order; None makes the browser
    # block the popup
    popup_answers = ()
    blocks_popups = False
    opened_popups = ()
    popup_channels = ()
    sent_to_opener = ()

    def open_popup(self):
        if self.blocks_popups:
            return None
        popup = FakePopup(self)
        self.opened_popups = (*self.opened_popups, popup)
        return popup

    def popup_went_to(self, popup, url):
        """A test's hook: the opener sent `popup` to `url` (the provider's authorize URL)."""

    async def popup_answer(self, popup, channel, is_ours, timeout):
        self.popup_channels = (*self.popup_channels, channel)
        for fragment in self.popup_answers:
            if is_ours(fragment):
                return fragment
        raise PopupTimeoutError("no answer")

    def answer_opener(self, channel, message):
        self.sent_to_opener = (*self.sent_to_opener, (channel, message))

    window_closed = False

    def close_window(self):
        self.window_closed = True

    # clock, randomness, storage
    def now(self):
        return self.clock

    def derive_names(self, state):
        return derive_names(state)

    def random_bytes(self, count):
        return os.urandom(count)

    def storage(self, kind):
        return self.local if kind == "local" else self.session

    # timers
    def set_timeout(self, seconds, callback):
        handle = self._next_timer
        self._next_timer += 1
        early = min(self.timers_early_by, seconds / 2)
        self.timers[handle] = (self.clock + seconds - early, callback)
        return handle

    def clear_timeout(self, handle):
        self.timers.pop(handle, None)

    def advance(self, seconds, timers_run=True):
        """Move the clock; with `timers_run=False` the tab "slept" and no timer fired."""
        target = self.clock + seconds
        while timers_run:
            due = sorted((when, handle) for handle, (when, _) in self.timers.items() if when <= target)
            if not due:
                break
            when, handle = due[0]
            self.clock = max(self.clock, when)
            _, callback = self.timers.pop(handle)
            callback()
        if not timers_run:
            self.timers.clear()
        self.clock = target

    def on_wake(self, callback):
        self.wake_callbacks.append(callback)

    def wake(self):
        for callback in self.wake_callbacks:
            callback()

    def on_storage_change(self, callback):
        self.storage_callbacks.append(callback)

    def report_callback_failure(self, error):
        self.callback_failures.append(error)

    # HTTP
    def answer(self, status, body=None, reset=None, headers=None, text=None):
        answer_headers = dict(headers or {})
        if reset is not None:
            answer_headers["X-RateLimit-Reset"] = reset
        if text is None and body is not None:
            text = json.dumps(body)
        self.responses.append((status, text, answer_headers))

    def dump_json(self, value):
        return json.dumps(value)

    def parse_json(self, text):
        return json.loads(text)

    async def fetch(self, url, method, headers, body):
        self.sent.append({"url": url, "method": method, "headers": headers, "body": body})
        if not self.responses:
            raise NetworkError("no answer")
        return self.responses.pop(0)


def derive_names(state):
    """`BrowserEnvironment.derive_names` by the book: the ChaCha20 block (RFC 8439) keyed with
    the state's 32 bytes, counter and nonce zero; key and output words big-endian. Any other
    text (a forged answer's state) gets names no state has."""
    if len(state) != 64 or state.strip("0123456789abcdef"):
        return "not a state: " + state
    key = b"".join(bytes.fromhex(state[i:i + 8])[::-1] for i in range(0, 64, 8))
    block = Cipher(algorithms.ChaCha20(key, bytes(16)), None).encryptor().update(bytes(64))
    return "".join(block[i:i + 4][::-1].hex() for i in range(0, 64, 4))


class FakePopup:
    """The opener's handle on a popup it opened, and the popup's own `browser`: like
    Chromium's, it shares the opener's localStorage and starts with a copy of its
    sessionStorage, taken when the popup opens."""

    def __init__(self, opener):
        self.opener = opener
        self.browser = FakeBrowser("about:blank", opener.clock)
        self.browser.local = opener.local
        for key in opener.session.keys():
            self.browser.session.set(key, opener.session.get(key))
        self.closed_by_opener = False

    def go(self, url):
        self.browser.arrive(url)
        self.opener.popup_went_to(self, url)

    def closed(self):
        return self.closed_by_opener

    def close(self):
        self.closed_by_opener = True
