"""The one module that talks to the browser: clock, crypto, storage, address bar, timers, fetch.

Only `browser.window` and `javascript` are used: both ship inside brython.js,
while `browser.timer`, `browser.session_storage` and friends live in the 5 MB
standard-library bundle (see docs: a page that needs it loads a second slower).
"""

import javascript

# `aio` and `javascript` are also the JavaScript bridge's (javascript_bridge), through here.
from browser import aio, window  # noqa: F401

from .errors import NetworkError, PopupClosedError, PopupTimeoutError, StorageError
from .popup import ANSWER_PREFIX

#: The sessionStorage key where the callback snippet (README) leaves the fragment before
#: it reloads the page without it; read once, then deleted.
STASH_KEY = "implicitflow.callback"

#: The answer taken out of the address bar (or the stash) in this page, until a flow
#: takes it: with two providers on one page, the second flow must still see it.
_taken = {"fragment": None}

#: The popup's size (the provider's consent page fits in it). It gets no window name, so each
#: sign-in has a window of its own: a shared name would hand one call's popup to the next.
POPUP_FEATURES = "popup,width=520,height=680"

#: How often the opener looks whether the user closed the popup.
POPUP_POLL_MS = 250

#: The popup's window stays in JavaScript: Brython reads properties of any object it is
#: handed (`$kw`, ...), and a window showing another origin (the provider) throws on them.
#: `go` fails only on a popup already closed (the wait then says so); `close` only on one
#: out of reach, which closes itself.
_OPEN_POPUP_SOURCE = (
    "const popup = window.open('about:blank', '', features); if (!popup) { return null; }"
    " return {closed: () => popup.closed,"
    " go: (url) => { try { popup.location.replace(url); } catch (error) {} },"
    " close: () => { try { popup.close(); } catch (error) {} }};"
)

#: Waits for the popup's answer (written in JavaScript: Brython compiles Python to far
#: larger JavaScript, and every page with the toolkit loads it). Resolves once with
#: "answer <fragment>", "closed" or "timeout". Answers count only from this origin (the
#: BroadcastChannel is same-origin by the browser's rules) and for this login's state.
#: A page whose Cross-Origin-Opener-Policy is same-origin is cut off from a popup on
#: another origin, which then reads as closed while the user is still on the provider's
#: page: there only the answer or the timeout ends the wait. The page's own headers say.
#: Once the popup reads as closed, a grace period of two polls lets an answer it posted
#: just before it closed itself arrive.
_WATCH_POPUP_SOURCE = """
const coop = fetch(location.href, {method: "HEAD", cache: "no-store"}).then(
  (response) => /^\\s*(same-origin|noopener-allow-popups)\\s*(;|$)/i.test(
    response.headers.get("Cross-Origin-Opener-Policy") || ""), () => false);
return new Promise((resolve) => {
  const channel = new BroadcastChannel(channelName);
  let settled = false, closing = false, cutOff = null;
  const settle = (outcome) => {
    if (settled) { return; }
    settled = true;
    clearInterval(poll); clearTimeout(timer); channel.close();
    removeEventListener("message", onWindowMessage);
    resolve(outcome);
  };
  const onAnswer = (message) => {
    if (typeof message === "string" && message.startsWith(prefix)) {
      const fragment = message.slice(prefix.length);
      if (isOurs(fragment) === true) { settle("answer " + fragment); }
    }
  };
  const onWindowMessage = (event) => {
    if (event.origin === location.origin) { onAnswer(event.data); }
  };
  channel.onmessage = (event) => onAnswer(event.data);
  addEventListener("message", onWindowMessage);
  coop.then((value) => { cutOff = value; });
  const poll = setInterval(() => {
    if (!closing && cutOff === false && popup.closed()) {
      closing = true;
      setTimeout(() => settle("closed"), 2 * pollMs);
    }
  }, pollMs);
  const timer = setTimeout(() => settle("timeout"), timeoutMs);
});
"""

#: 128 hex digits derived from a popup login's state (64 hex digits): the ChaCha20 block
#: (RFC 8439) keyed with it, counter and nonce zero, key and output words read big-endian.
#: One-way in the key, and its halves independent: the mark's name is one, the channel's
#: the other, and neither gives the state, or the other, away. Synchronous, unlike
#: crypto.subtle (a callback page must know at once whether it is a popup's), and smaller
#: than a SHA-256. x: the block; l: rotate left; q: the quarter round, 80 of them.
_DERIVE_NAMES_SOURCE = (
    "let x=[1634760805,857760878,2036477234,1797285236],s,i,l=(v,n)=>v<<n|v>>>32-n,"
    "q=(a,b,c,d)=>{for(let n of[16,12,8,7]){x[a]=x[a]+x[b]|0;x[d]=l(x[d]^x[a],n);[a,b,c,d]=[c,d,a,b]}};"
    "for(i=0;i<8;i++)x.push(parseInt(state.substr(8*i,8),16)|0);x.push(0,0,0,0);s=x.slice();"
    "for(i=0;i<80;i++){let j=i%4,k=i>>2&1;q(j,(j+k)%4+4,(j+2*k)%4+8,(j+3*k)%4+12)}"
    "return x.map((v,i)=>(v+s[i]>>>0).toString(16).padStart(8,0)).join('')"
)

#: Response headers the flow reads: GetResponse's quota reset, RFC 6750's challenge.
ANSWER_HEADERS = ("X-RateLimit-Reset", "WWW-Authenticate")


def is_null(value):
    """JavaScript null/undefined. Brython does not turn them into None."""
    return value is None or value is javascript.NULL or value is javascript.UNDEFINED


def storage_error(kind, error):
    """The browser's refusal (QuotaExceededError, SecurityError) as a typed error."""
    try:
        # Brython raises the DOMException itself, typed JavascriptError: ask JavaScript its name.
        name = window.Reflect.get(error, "name")
    except Exception:
        name = None
    if not isinstance(name, str):
        name = type(error).__name__
    return StorageError("The browser refused " + kind + "Storage (" + name + "): "
                        + "it may be full, or blocked by the browser's privacy settings")


class WebStorage:
    """sessionStorage or localStorage behind the `storage.MemoryStorage` interface; the
    browser's refusals become `StorageError`."""

    def __init__(self, kind):
        self._kind = kind
        try:
            # Reading window.sessionStorage itself throws SecurityError where it is blocked.
            self._js = window.localStorage if kind == "local" else window.sessionStorage
        except Exception as error:
            raise storage_error(kind, error) from None

    def get(self, key):
        try:
            value = self._js.getItem(key)
        except Exception as error:
            raise storage_error(self._kind, error) from None
        return value if isinstance(value, str) else None

    def set(self, key, value):
        try:
            self._js.setItem(key, value)
        except Exception as error:
            raise storage_error(self._kind, error) from None

    def remove(self, key):
        try:
            self._js.removeItem(key)
        except Exception as error:
            raise storage_error(self._kind, error) from None

    def keys(self):
        try:
            return [self._js.key(index) for index in range(self._js.length)]
        except Exception as error:
            raise storage_error(self._kind, error) from None


class BrowserEnvironment:
    """What `ImplicitFlow` needs from the page, taken from `window`."""

    def now(self):
        return window.Date.now() / 1000

    def derive_names(self, state):
        """128 hex digits derived from `state`: see _DERIVE_NAMES_SOURCE."""
        return window.Function.new("state", _DERIVE_NAMES_SOURCE)(state)

    def random_bytes(self, count):
        array = window.Uint8Array.new(count)
        window.crypto.getRandomValues(array)
        return bytes([array[index] for index in range(count)])

    def storage(self, kind):
        return WebStorage("local" if kind == "local" else "session")

    # -- the address bar ---------------------------------------------------------------

    def read_fragment(self):
        """The answer to handle: one already taken in this page, the snippet's stash, or
        the address bar's fragment. Only strings count: page content can clobber names."""
        if _taken["fragment"] is not None:
            return _taken["fragment"]
        try:
            stash = window.sessionStorage.getItem(STASH_KEY)
        except Exception:  # storage blocked: the snippet could not have stashed anything
            stash = None
        if isinstance(stash, str) and stash:
            return stash
        fragment = window.location.hash
        return fragment if isinstance(fragment, str) else ""

    def scrub_fragment(self, fragment):
        """Take `fragment` out of the stash, the address bar and this history entry, and
        keep it in this page's memory until `release_fragment()`."""
        _taken["fragment"] = fragment
        try:
            window.sessionStorage.removeItem(STASH_KEY)
        except Exception:  # storage blocked: nothing was stashed
            pass
        location = window.location
        if location.hash:
            # replaceState, not location.hash = "": the latter keeps the old entry in history.
            window.history.replaceState(javascript.NULL, "", location.pathname + location.search)

    def release_fragment(self):
        """Forget the answer: a flow took it."""
        _taken["fragment"] = None

    # -- popups ------------------------------------------------------------------------

    def open_popup(self):
        """A handle {closed(), go(url), close()} on a new, empty popup, or None when the
        browser blocked it."""
        popup = window.Function.new("features", _OPEN_POPUP_SOURCE)(POPUP_FEATURES)
        return None if is_null(popup) else popup

    async def popup_answer(self, popup, channel, is_ours, timeout):
        """The fragment the popup's callback sends back, once `is_ours(fragment)`; raises
        `PopupClosedError` when the user closes it first, `PopupTimeoutError` at `timeout`."""
        watch = window.Function.new("popup", "isOurs", "timeoutMs", "pollMs", "channelName",
                                    "prefix", _WATCH_POPUP_SOURCE)
        outcome = await watch(popup, is_ours, int(timeout * 1000), POPUP_POLL_MS, channel,
                              ANSWER_PREFIX)
        if outcome == "closed":
            raise PopupClosedError("The sign-in popup was closed before the provider answered")
        if outcome == "timeout":
            raise PopupTimeoutError(
                "The sign-in popup gave no answer within " + str(int(timeout)) + " seconds")
        return outcome[len("answer "):]

    def answer_opener(self, channel_name, message):
        """In a popup's callback: send `message` to the window that opened it (on the
        BroadcastChannel `channel_name` and by postMessage), then close."""
        channel = window.BroadcastChannel.new(channel_name)
        channel.postMessage(message)
        opener = window.opener
        if not is_null(opener):
            try:
                opener.postMessage(message, window.location.origin)
            except Exception:  # the opener navigated away: the channel carries the answer
                pass

        def close():
            channel.close()
            window.close()

        window.setTimeout(close, 50)  # let the channel deliver before the window goes

    def close_window(self):
        """Close this window if a script opened it (a popup); the browser ignores it elsewhere."""
        window.close()

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
        """Returns (status, body text, {header: value} of the headers the flow reads);
        raises NetworkError."""
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
        answer_headers = {}
        for name in ANSWER_HEADERS:
            value = response.headers.get(name)
            if isinstance(value, str):
                answer_headers[name] = value
        return response.status, text, answer_headers
