"""`ImplicitFlow`: sign-in with `response_type=token`, token upkeep and API calls.

Everything the browser provides (clock, randomness, storage, the address bar,
timers, fetch) comes from an environment object; in a page it is
`browser_environment.BrowserEnvironment`, the only module that touches
Brython's `browser`. That keeps this module plain Python, tested under CPython.
"""

from . import form_urlencoded
from .api_response import read_api_response
from .authorization_response import (
    fragment_state,
    is_authorization_response,
    parse_fragment,
    read_authorization_response,
)
from .errors import (
    ConfigurationError,
    ImplicitFlowError,
    LoginRequiredError,
    NetworkError,
    PopupBlockedError,
    StateMismatchError,
    TokenExpiredError,
    describe,
)
from .events import Events
from .pending_login import STATE_BYTES, STATE_TTL, PendingLogin, PendingLogins, new_state
from .popup import POPUP_LOGIN, PopupMarks, answer_message
from .providers import check_api_base
from .return_to import safe_return_to
from .storage import MemoryStorage
from .token import Token, TokenStore

STORAGE_KINDS = ("session", "memory", "local")

#: Browsers cap setTimeout at 2**31-1 ms (about 24.8 days); longer delays fire at once.
MAX_TIMER_SECONDS = 2147483
#: Shortest wait for the expiry timer, so a timer that keeps firing early cannot spin.
MIN_TIMER_SECONDS = 0.05


class LoginResult:
    """What `handle_redirect()` returns after a successful sign-in."""

    __slots__ = ("token", "return_to")

    def __init__(self, token, return_to):
        self.token = token
        self.return_to = return_to

    def __repr__(self):
        return "LoginResult(token=" + repr(self.token) + ", return_to=" + repr(self.return_to) + ")"


def join_api_url(base, path):
    """`base` + `path`; an absolute `path` only when it lies under `base`, since whatever
    URL this returns receives the bearer token."""
    if not isinstance(path, str):
        raise ConfigurationError("the API path must be a string such as '/accounts'")
    if path[:8].lower() == "https://" or path[:7].lower() == "http://":
        prefix = base.rstrip("/") + "/"
        if not (base and (path == base or path.startswith(prefix))):
            raise ConfigurationError(
                "Refusing to send the token to " + describe(path.split("?")[0], 64)
                + ": only URLs under api_base " + describe(base, 64) + " receive it")
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


class ImplicitFlow:
    """The OAuth2 implicit flow for one provider and client, in one page."""

    def __init__(self, provider, storage="session", expiring_margin=60, api_base=None,
                 clock_skew=5, login_on_expiry=False, environment=None):
        if storage not in STORAGE_KINDS:
            raise ConfigurationError(
                "storage must be one of " + ", ".join(STORAGE_KINDS) + ", got " + describe(storage)
            )
        if environment is None:
            from .browser_environment import BrowserEnvironment  # only ever imported in a page

            environment = BrowserEnvironment()
        self.provider = provider
        self.api_base = check_api_base(api_base) or provider.api_base
        self.expiring_margin = expiring_margin
        self.clock_skew = clock_skew
        self.login_on_expiry = login_on_expiry
        self._env = environment
        self._events = Events(report_failure=environment.report_callback_failure)
        # Pending logins must survive the redirect, and stay in this tab: always sessionStorage.
        self._pending = PendingLogins(environment.storage("session"))
        # Popup marks go where the popup can read them, even when COOP cuts window.opener.
        self._popups = PopupMarks(environment.storage("local"), environment.derive_names)
        token_storage = MemoryStorage() if storage == "memory" else environment.storage(storage)
        self._tokens = TokenStore(token_storage, provider.token_key)
        self._timers = []
        # Read from storage on first use, not here: a corrupt record is reported through the
        # "error" event, and the app can only have subscribed after construction.
        self._known_token = None
        self._loaded = False
        environment.on_wake(self._recheck)
        environment.on_storage_change(self._on_storage_change)

    # -- events -----------------------------------------------------------------------

    def on(self, name, callback):
        """Subscribe to "login", "logout", "expiring", "expired" or "error"; returns unsubscribe."""
        return self._events.on(name, callback)

    # -- the token ---------------------------------------------------------------------

    @property
    def token(self):
        """The current token while it is valid, else None. Every read checks the clock,
        since a sleeping tab misses its timers."""
        self._ensure_loaded()
        token = self._known_token
        if token is None:
            return None
        if token.is_valid(self._env.now(), self.clock_skew):
            return token
        self._expire()
        return None

    def _ensure_loaded(self):
        if not self._loaded:
            self._loaded = True
            self._known_token = self._load_token()
            self._schedule()

    def _load_token(self):
        try:
            return self._tokens.load()
        except ImplicitFlowError as error:  # a corrupt record, or storage the browser refuses
            self._events.emit("error", error)
            return None

    def _expire(self):
        if self._known_token is None:
            return
        self._known_token = None
        self._tokens.clear()
        self._cancel_timers()
        self._events.emit("expired")

    def _recheck(self):
        self.token  # noqa: B018 -- reading it fires "expired" when due

    # -- timers ------------------------------------------------------------------------

    def _cancel_timers(self):
        for handle in self._timers:
            self._env.clear_timeout(handle)
        self._timers = []

    def _schedule(self):
        self._cancel_timers()
        token = self._known_token
        if token is None:
            return
        now = self._env.now()
        expires = token.expires_at - self.clock_skew
        expiring = expires - self.expiring_margin
        if expiring > now:
            self._timers.append(self._env.set_timeout(
                min(expiring - now, MAX_TIMER_SECONDS), self._fire_expiring))
        self._timers.append(self._env.set_timeout(
            min(max(expires - now, MIN_TIMER_SECONDS), MAX_TIMER_SECONDS), self._on_expiry_timer))

    def _on_expiry_timer(self):
        # Timers may fire a little early against Date.now() (or hit the setTimeout cap):
        # if the token is still valid, wait again for the rest rather than miss "expired".
        if self.token is not None:
            self._schedule()

    def _fire_expiring(self):
        token = self.token
        if token is not None:
            self._events.emit("expiring", token)

    # -- sign-in and sign-out ---------------------------------------------------------

    def login(self, return_to=None):
        """Save a one-time pending login and send the browser to the provider."""
        login = self._start_login(return_to)
        self._env.navigate(self.provider.authorization_url(login.state))

    def _start_login(self, return_to, identity=""):
        now = self._env.now()
        login = PendingLogin(new_state(self._env.random_bytes(STATE_BYTES)),
                             self.provider.identity + identity, now, safe_return_to(return_to))
        self._pending.purge(now)
        self._pending.add(login)
        return login

    async def login_popup(self, return_to=None, timeout=STATE_TTL):
        """Sign in in a popup, without leaving this page; returns a `LoginResult`.

        Call it from a click handler, or the browser may block the popup. The popup
        gets the same one-time state as a redirect; its callback page (the redirect
        URI, running `handle_redirect()`) hands the answer back and closes.
        """
        # Checked before anything is opened or stored: a bad value must not leave a popup
        # behind, and setTimeout fires at once for a delay beyond its range.
        if (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                or not 0 < timeout <= MAX_TIMER_SECONDS):
            raise ConfigurationError("timeout must be a number of seconds above 0 and up to "
                                     + str(MAX_TIMER_SECONDS) + ", got " + describe(timeout))
        popup = login = fragment = None
        try:
            # Opened empty, before the login exists: the browser gives a popup a copy of this
            # tab's sessionStorage, and a popup holding the login could finish it alone.
            popup = self._env.open_popup()
            if popup is None:
                raise PopupBlockedError(
                    "The browser blocked the sign-in popup: call login_popup() from a click "
                    "handler, or allow popups for this site")
            login = self._start_login(return_to, POPUP_LOGIN)
            self._popups.purge(login.created_at)
            self._popups.add(login.state, login.created_at)
            popup.go(self.provider.authorization_url(login.state))

            def is_ours(fragment):
                return fragment_state(fragment) == login.state

            fragment = await self._env.popup_answer(popup, self._popups.channel(login.state),
                                                    is_ours, timeout)
        except ImplicitFlowError as error:
            self._events.emit("error", error)
            raise
        finally:
            # However the wait ends: left open on the provider's page, the popup could still
            # finish a sign-in the opener has given up on.
            if popup is not None:
                popup.close()
            if login is not None:
                self._popups.remove(login.state)
                if fragment is None:
                    self._pending.discard(login.state)
        return self._finish_login(fragment)

    def handle_redirect(self):
        """Finish a sign-in if this page load is the provider's redirect; else return None.

        The fragment leaves the address bar and history before anything else is
        done, so even a rejected response leaves no token in the URL. The state is
        matched (and consumed) before an error or a token is believed. An answer to
        a login that another flow on this page started (another provider or client)
        is left for that flow: this one returns None.
        """
        fragment = self._env.read_fragment()
        if not fragment or not is_authorization_response(fragment):
            self._ensure_loaded()
            return None
        self._env.scrub_fragment(fragment)
        self._ensure_loaded()
        state = fragment_state(fragment)
        if self._popups.has(state):
            # This page is a sign-in popup: the window that opened it finishes the login.
            self._env.release_fragment()
            self._env.answer_opener(self._popups.channel(state), answer_message(fragment))
            return None
        return self._finish_login(fragment, taken_from_page=True)

    def _finish_login(self, fragment, taken_from_page=False):
        """Check an answer against this flow's pending login and store its token.

        An answer to another flow's login returns None, and one taken from the page
        stays there for that flow. A popup's login is taken only by its opener's wait.
        """
        now = self._env.now()
        identity = self.provider.identity
        try:
            params = parse_fragment(fragment)
            state = params.get("state")
            login = self._pending.take(state, now,
                                       identity + ("" if taken_from_page else POPUP_LOGIN))
            if login is None:
                if taken_from_page and self._pending.take(state, now, identity + POPUP_LOGIN):
                    # A popup's copy of its login (the browser copies the opener's
                    # sessionStorage), with no mark: the opener gave up on it.
                    self._env.close_window()
                    raise StateMismatchError(
                        "abandoned", "The window that opened this sign-in popup stopped "
                        "waiting for it: nothing was stored; start the sign-in again")
                return None
            if taken_from_page:
                self._env.release_fragment()
            response = read_authorization_response(params, self.provider.default_expires_in,
                                                   self.provider.issuer)
        except ImplicitFlowError as error:
            if taken_from_page:
                self._env.release_fragment()
            self._events.emit("error", error)
            raise
        token = Token(response.access_token, response.token_type, now + response.expires_in,
                      response.scope)
        self._tokens.save(token)
        self._known_token = token
        self._schedule()
        self._events.emit("login", token)
        return LoginResult(token, login.return_to)

    def logout(self):
        """Forget the token (here and, with shared storage, in every tab)."""
        self._ensure_loaded()
        had_token = self._known_token is not None
        self._known_token = None
        self._tokens.clear()
        self._cancel_timers()
        if had_token:
            self._events.emit("logout")

    def _on_storage_change(self, key):
        """Another tab changed shared storage (localStorage): follow its login or logout."""
        if key is not None and key != self._tokens.key:
            return
        self._ensure_loaded()
        before = self._known_token
        self._known_token = self._load_token()
        self._schedule()
        if before is not None and self._known_token is None:
            self._events.emit("logout")
        elif self._known_token is not None and self._known_token != before:
            self._events.emit("login", self._known_token)

    # -- API calls ---------------------------------------------------------------------

    def request_headers(self, headers=None):
        """Headers for an API call: the provider's (X-Domain for MAX), the bearer token, the app's."""
        token = self.token
        if token is None:
            raise LoginRequiredError("Sign in first: there is no valid token")
        merged = dict(self.provider.headers)
        merged["Authorization"] = "Bearer " + token.access_token
        merged["Accept"] = "application/json"
        merged.update(headers or {})
        return merged

    async def fetch(self, path, method="GET", json=None, headers=None, params=None):
        """Call the API; return its parsed JSON or raise a typed error.

        A 401/403 with GetResponse code 1014 (or RFC 6750 `invalid_token`) means the
        token is gone: it is dropped, "expired" fires, and `TokenExpiredError` is raised.
        """
        return (await self._call(path, method, json, headers, params))[0]

    async def fetch_text(self, path, method="GET", json=None, headers=None, params=None):
        """`fetch()`, returning the JSON body as text ("null" when empty), for callers with
        their own JSON parser (JavaScript's JSON.parse differs from Python's data model)."""
        return (await self._call(path, method, json, headers, params))[1] or "null"

    async def _call(self, path, method, json, headers, params):
        url = join_api_url(self.api_base or "", path)
        all_headers = self.request_headers(headers)
        if params:
            url += ("&" if "?" in url else "?") + form_urlencoded.encode(
                [(str(k), str(v)) for k, v in params.items()])
        body = None
        if json is not None:
            body = self._env.dump_json(json)
            all_headers["Content-Type"] = "application/json"
        try:
            status, text, answer_headers = await self._env.fetch(url, method, all_headers, body)
        except NetworkError as error:
            self._events.emit("error", error)
            raise
        data = None
        if text:
            try:
                data = self._env.parse_json(text)
            except ValueError:
                if 200 <= status < 300:
                    raise NetworkError(
                        "The API answered HTTP " + str(status) + " with a body that is not JSON"
                    ) from None
        # The credential this call carried, kept out of what its error quotes (a server may
        # echo it bare); read now, since a 1014 drops the token.
        sent = all_headers.get("Authorization", "").partition(" ")[2] or None
        try:
            return read_api_response(status, data, answer_headers.get("X-RateLimit-Reset"),
                                     answer_headers.get("WWW-Authenticate"), sent), text
        except TokenExpiredError:
            self._expire()
            if self.login_on_expiry:
                self.login(self._env.current_path())
            raise
