"""Everything the mock server remembers, behind one lock that only this module takes: clients,
codes, tokens, rate-limit counts, failure switches, the request log.

Tests change switches from their own thread while the server answers on its event loop, so
every read and write goes through a method here, which takes the lock; what the properties at
the end hand out are copies.

The switches' setters (`set_latency`, `fail_api`, ...) are the one place each switch's values
are checked: the HTTP controls under /_mock/ and `MockServer`'s methods both call them through
the table in `_controls`, so both refuse the same values with the same message
(`ControlRefused`), and each answers what its control answers over HTTP.

What callers make it remember is bounded: codes, tokens, refresh tokens and rate-limit buckets are
each kept in an `OldestFirst` store with a cap from `Limits`, and codes and tokens whose time is up
are dropped when read and, a few at a time, as new ones arrive; nothing sweeps a whole store
while a request waits.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from implicitflow_testing.mock._clock import Clock
from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._getresponse_api import API_TEXT_FIELDS
from implicitflow_testing.mock._models import (
    ACCOUNT,
    Account,
    AuthorizationCode,
    Client,
    IssuedToken,
)
from implicitflow_testing.mock._oldest_first import PURGE_PER_ADD, OldestFirst
from implicitflow_testing.mock._rate_limits import Passed, Principal, RateBucket, RateCounts
from implicitflow_testing.mock._request_log import entries_after, entry_number

__all__ = ["CODE_LIFETIME", "DEFAULT_API_KEY", "DEFAULT_LIFETIMES", "EXPIRED_TOKEN_MEMORY",
           "PURGE_PER_ADD", "REQUEST_LOG_SIZE", "Clock", "ControlRefused", "MockState",
           "RateBucket", "Switches"]

CODE_LIFETIME = 600  # GetResponse: "exchanged for the access_token in the next 10 minutes"
#: Lifetimes of the seed document, per grant.
DEFAULT_LIFETIMES = {
    "implicit": 3600,
    "authorization_code": 3600,
    "client_credentials": 86400,
    "refresh_token": 86400,
}
REQUEST_LOG_SIZE = 10000
#: How long an expired access token is still known, and answered as expired (401 / 1014 "The
#: access token provided is expired"); after that it is forgotten, and answered as unknown.
EXPIRED_TOKEN_MEMORY = 86400
DEFAULT_API_KEY = "demo-api-key"
#: The longest latency a test may ask for, in ms.
MAX_LATENCY_MS = 60000
CONSENT_DECISIONS = ("allow", "deny", "wrong_state")


class ControlRefused(ValueError):
    """A switch was given a value it does not take; the message says what it takes. Over HTTP
    the same message comes back as a 400 `error_description`."""


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


#: A setter's default for "leave this switch as it is" (a control's body without the field).
UNCHANGED: Final[Any] = _Unchanged()


@dataclass
class Switches:
    """Failure switches; `reset()` puts back these defaults (and those the mock started with)."""

    auto_approve: bool = False
    next_consent: str | None = None  # "allow", "deny" or "wrong_state", used once
    token_lifetime: int | None = None  # seconds for new tokens; None: the seed's lifetimes
    api_error: dict[str, Any] | None = None  # {"status", "code", "message", "remaining"}
    latency_ms: int = 0
    rotate_refresh_tokens: bool = False
    documented_limits: bool = False  # enforce 80 calls a second and 10 at once per account
    #: Text the API answers in place of its own, e.g. {"account": {"firstName": "..."},
    #: "from_field": {"name": "..."}} (every from-field), as `API_TEXT_FIELDS` allows.
    api_text: dict[str, dict[str, str]] | None = None


def code_expired(code: AuthorizationCode, now: float) -> bool:
    return code.expires_at <= now


def token_forgotten(token: IssuedToken, now: float) -> bool:
    return token.expires_at + EXPIRED_TOKEN_MEMORY <= now


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_enabled(enabled: object) -> bool:
    if not isinstance(enabled, bool):
        raise ControlRefused("enabled must be true or false")
    return enabled


class MockState:
    """The mock's memory and switches. Configuration given here (the clock, the MAX domains,
    the API key, the defaults `reset()` restores) is fixed for the mock's life."""

    def __init__(self, clock: Clock | None = None, auto_approve: bool = False,
                 max_domains: Iterable[str] = (), rotate_refresh_tokens: bool = False,
                 api_key: str = DEFAULT_API_KEY, limits: Limits | None = None,
                 token_lifetime: int | None = None) -> None:
        self._lock = threading.RLock()
        self.clock: Clock = clock or Clock()
        self.max_domains: tuple[str, ...] = tuple(max_domains)
        self.api_key = api_key
        self.limits = limits or Limits()
        #: Called with each log entry once its status is known (the CLI prints through it);
        #: kept across `reset()`, so nothing logged just before a reset is lost.
        self.log_listener: Callable[[dict[str, Any]], None] | None = None
        self._check_lifetime(token_lifetime)
        _check_enabled(auto_approve)
        _check_enabled(rotate_refresh_tokens)
        self._defaults: dict[str, Any] = {
            "auto_approve": auto_approve, "token_lifetime": token_lifetime,
            "rotate_refresh_tokens": rotate_refresh_tokens}
        self.reset()

    # -- the switches: what the controls under /_mock/ set, each answering as its control ------

    def reset(self) -> dict[str, Any]:
        """Forget clients, tokens, codes, counts and the log; switches back to their defaults."""
        with self._lock:
            limits = self.limits
            self._clients: dict[str, Client] = {}
            self._codes: OldestFirst[str, AuthorizationCode] = OldestFirst(
                limits.max_codes, self.clock, code_expired)
            self._tokens: OldestFirst[str, IssuedToken] = OldestFirst(
                limits.max_tokens, self.clock, token_forgotten)
            # Refresh tokens do not expire ("IssuedToken.is_expired"): only the cap drops them.
            self._refresh_tokens: OldestFirst[str, IssuedToken] = OldestFirst(
                limits.max_refresh_tokens)
            # Made only once a caller has authenticated (see `principal()`).
            self._rates = RateCounts(limits.max_rate_buckets, self.clock)
            self._requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
            self._switches = Switches(**self._defaults)
            self.clock.reset()
            self._clients["demo-client"] = Client(
                "demo-client", "demo-secret", "implicitflow demo", ["http://localhost/callback"],
                loopback=True)
        return {"reset": True}

    def register_client(self, client_id: str, client_secret: str, redirect_uris: Iterable[str],
                        name: str | None = None) -> dict[str, Any]:
        """Register (or replace) a client that may use these redirect URIs."""
        if client_id is None or client_secret is None or redirect_uris is None \
                or isinstance(redirect_uris, (str, bytes, Mapping)):
            raise ControlRefused("needs client_id, client_secret and redirect_uris (a list)")
        try:
            uris = [str(uri) for uri in redirect_uris]
        except TypeError:
            raise ControlRefused("needs client_id, client_secret and redirect_uris (a list)") \
                from None
        client = Client(str(client_id), str(client_secret), str(name or client_id), uris)
        with self._lock:
            self._clients[client.client_id] = client
        return {"client_id": client.client_id}

    def set_consent(self, next: str | None = UNCHANGED,
                    auto_approve: bool = UNCHANGED) -> dict[str, Any]:
        """The next authorization's decision ("allow", "deny", "wrong_state"; None: the consent
        page), and whether every authorization is approved without the page."""
        if next is not UNCHANGED and next is not None and next not in CONSENT_DECISIONS:
            raise ControlRefused("next must be 'allow', 'deny', 'wrong_state' or null")
        if auto_approve is not UNCHANGED and not isinstance(auto_approve, bool):
            raise ControlRefused("auto_approve must be true or false")
        with self._lock:
            if next is not UNCHANGED:
                self._switches.next_consent = next
            if auto_approve is not UNCHANGED:
                self._switches.auto_approve = auto_approve
            return {"next": self._switches.next_consent,
                    "auto_approve": self._switches.auto_approve}

    def expire_tokens(self, access_token: str | None = None) -> dict[str, Any]:
        """Make one access token (or every one) expired now: {"expired": how many}."""
        if access_token is not None and not isinstance(access_token, str):
            raise ControlRefused("access_token must be a string")
        with self._lock:
            now = self.clock.now()
            if access_token is None:
                chosen = list(self._tokens.values())
            else:
                chosen = [self._tokens[access_token]] if access_token in self._tokens else []
            for token in chosen:
                token.expires_at = min(token.expires_at, now)
            return {"expired": len(chosen)}

    @staticmethod
    def _check_lifetime(seconds: object) -> None:
        if seconds is not None and (not _whole(seconds) or seconds < 1):  # type: ignore[operator]
            raise ControlRefused("seconds must be a positive whole number, or null for the "
                                 "defaults")

    def set_token_lifetime(self, seconds: int | None) -> dict[str, Any]:
        """Lifetime of new tokens in seconds; None: the seed's (3600, 86400 by grant)."""
        self._check_lifetime(seconds)
        with self._lock:
            self._switches.token_lifetime = seconds
        return {"seconds": seconds}

    def fail_api(self, status: int, code: int, count: int = 1,
                 message: str | None = None) -> dict[str, Any]:
        """Answer the next `count` API calls with GetResponse's error body for `code`."""
        if not (_whole(status) and 400 <= status <= 599 and _whole(code) and _whole(count)
                and count >= 1):
            raise ControlRefused("needs status (400-599), code (a GetResponse error code) and "
                                 "count >= 1")
        if message is not None and not isinstance(message, str):
            raise ControlRefused("message must be a string, or null for the code's own")
        with self._lock:
            self._switches.api_error = {"status": status, "code": code, "remaining": count,
                                        "message": message}
        return {"status": status, "code": code, "count": count}

    def set_latency(self, ms: int) -> dict[str, Any]:
        """Hold every answer (API calls: while counted as in flight) `ms` milliseconds."""
        if not _whole(ms) or not 0 <= ms <= MAX_LATENCY_MS:
            raise ControlRefused(f"ms must be a whole number from 0 to {MAX_LATENCY_MS}")
        with self._lock:
            self._switches.latency_ms = ms
        return {"ms": ms}

    def set_refresh_rotation(self, enabled: bool) -> dict[str, Any]:
        """Each refresh issues a new refresh token and revokes the one used."""
        with self._lock:
            self._switches.rotate_refresh_tokens = _check_enabled(enabled)
        return {"enabled": enabled}

    def set_documented_limits(self, enabled: bool) -> dict[str, Any]:
        """Enforce 80 calls a second and 10 simultaneous calls per account."""
        with self._lock:
            self._switches.documented_limits = _check_enabled(enabled)
        return {"enabled": enabled}

    def advance_clock(self, advance: float) -> dict[str, Any]:
        """Move the mock's clock `advance` seconds forward: {"offset": its offset now}."""
        try:
            return {"offset": self.clock.advance(advance)}
        except ValueError as error:
            raise ControlRefused(str(error)) from None

    def set_api_text(self, account: Mapping[str, str] | None = None,
                     from_field: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Text the API answers in these fields instead of its own (see `API_TEXT_FIELDS`);
        none given restores the mock's own."""
        texts = {kind: given for kind, given in (("account", account), ("from_field", from_field))
                 if given is not None}
        if not all(isinstance(given, Mapping) and set(given) <= set(API_TEXT_FIELDS[kind])
                   and all(isinstance(text, str) for text in given.values())
                   for kind, given in texts.items()):
            raise ControlRefused(f"needs text (strings) for these fields only: {API_TEXT_FIELDS};"
                                 " {} restores")
        chosen = {kind: dict(given) for kind, given in texts.items() if given}
        with self._lock:
            self._switches.api_text = chosen or None
        return {"api_text": chosen}

    def requests_after(self, after: int | str = 0) -> dict[str, Any]:
        """The request log after entry number `after` (0: all of it): {"requests": entries,
        oldest first, "newest": the newest entry's number, "lost": whether entries after `after`
        were dropped unread} (see `_request_log.entries_after`)."""
        number: object = after
        if isinstance(after, str):
            try:
                number = entry_number(after)
            except ValueError:
                number = -1
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ControlRefused("after must be a log entry's number (a whole number >= 0)")
        with self._lock:
            return entries_after(self._requests, number)

    # -- what the server asks as it answers ----------------------------------------------------

    def set_limits(self, limits: Limits) -> None:
        """Hold what the mock keeps to `limits` from now on (a store over its new cap sheds its
        oldest entries as the next one arrives)."""
        with self._lock:
            self.limits = limits
            self._codes.cap, self._tokens.cap = limits.max_codes, limits.max_tokens
            self._refresh_tokens.cap = limits.max_refresh_tokens
            self._rates.buckets.cap = limits.max_rate_buckets

    def client(self, client_id: str) -> Client | None:
        with self._lock:
            return self._clients.get(client_id)

    def save_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            self._codes[code.code] = code

    def find_code(self, code: str, client_id: str) -> AuthorizationCode | None:
        """The unexpired code `code` if it was issued to `client_id`."""
        with self._lock:
            found = self._codes.get(code)
            if found and found.client_id == client_id and found.expires_at > self.clock.now():
                return found
            return None

    def take_code(self, code: str) -> None:
        """Forget a code once it is redeemed: it works once."""
        with self._lock:
            self._codes.pop(code, None)

    def lifetime(self, grant_type: str) -> int:
        with self._lock:
            return self._switches.token_lifetime or DEFAULT_LIFETIMES[grant_type]

    def save_token(self, token: IssuedToken) -> None:
        if token.domain not in self.max_domains:
            token.domain = None  # an X-Domain header the mock does not serve is kept nowhere
        with self._lock:
            self._tokens[token.access_token] = token
            if token.refresh_token:
                self._refresh_tokens[token.refresh_token] = token

    def token(self, access_token: str) -> IssuedToken | None:
        """The access token, expired or not, while the mock remembers it."""
        with self._lock:
            return self._tokens.get(access_token)

    def refresh_token(self, refresh_token: str) -> IssuedToken | None:
        """The token a refresh token was issued with, unless it was revoked."""
        with self._lock:
            token = self._refresh_tokens.get(refresh_token)
            return token if token and not token.refresh_revoked else None

    def revoke_refresh_token(self, token: IssuedToken) -> None:
        with self._lock:
            token.refresh_revoked = True
            if token.refresh_token:
                self._refresh_tokens.pop(token.refresh_token, None)

    def take_consent(self) -> str | None:
        """The decision for an authorization that brought none: the one armed for the next
        (used up), else "allow" with auto-approve, else None (the consent page)."""
        with self._lock:
            decision, self._switches.next_consent = self._switches.next_consent, None
            if decision is None and self._switches.auto_approve:
                return "allow"
            return decision

    def principal(self, account_id: str, domain: str | None) -> Principal:
        """Whom an authenticated call counts against: the account, with its MAX domain when that
        is one of this mock's. Any other X-Domain value names nobody, so it makes no bucket."""
        return (domain if domain is not None and domain in self.max_domains else "", account_id)

    def take_rate_limit(self, principal: Principal) -> tuple[int, float]:
        """Count one call against a principal's window; (remaining, seconds until the window
        resets)."""
        with self._lock:
            return self._rates.take(principal)

    def count_calls(self, principal: Principal, calls: int, window_start: float) -> None:
        """Set a principal's window to have begun at `window_start` with `calls` counted: a
        test's way to a quota nearly or wholly spent without making the calls."""
        with self._lock:
            bucket = self._rates.bucket(principal, self.clock.now())
            bucket.window_start, bucket.used = window_start, calls

    def begin_call(self, principal: Principal) -> Passed | None:
        """With `documented_limits` on, the limit the call passes ("per second" or
        "simultaneous"), if any; otherwise the call is counted in flight until `end_call`."""
        with self._lock:
            if not self._switches.documented_limits:
                return None
            return self._rates.begin_call(principal)

    def end_call(self, principal: Principal) -> None:
        with self._lock:
            self._rates.end_call(principal)

    def take_api_error(self) -> dict[str, Any] | None:
        """The forced API error for this call, if one is armed."""
        with self._lock:
            forced = self._switches.api_error
            if not forced:
                return None
            forced["remaining"] -= 1
            if forced["remaining"] <= 0:
                self._switches.api_error = None
            return dict(forced)

    @property
    def latency_ms(self) -> int:
        return self._switches.latency_ms  # one int: read whole without the lock

    @property
    def rotate_refresh_tokens(self) -> bool:
        return self._switches.rotate_refresh_tokens

    def api_text(self, kind: str) -> dict[str, str]:
        """The text the `api_text` switch sets for an "account" or a "from_field"."""
        with self._lock:
            return dict((self._switches.api_text or {}).get(kind, {}))

    def log(self, entry: dict[str, Any]) -> None:
        """Add a request's entry to the log (its status is filled in when the answer starts)."""
        with self._lock:
            self._requests.append(entry)

    # -- copies, to look at (tests, the audit) -------------------------------------------------

    @property
    def account(self) -> Account:
        """The one account (the consent page's, the API's)."""
        return ACCOUNT

    @property
    def switches(self) -> Switches:
        with self._lock:
            return dataclasses.replace(self._switches)

    @property
    def clients(self) -> dict[str, Client]:
        with self._lock:
            return dict(self._clients)

    @property
    def codes(self) -> OldestFirst[str, AuthorizationCode]:
        with self._lock:
            return self._codes.copy()

    @property
    def tokens(self) -> OldestFirst[str, IssuedToken]:
        with self._lock:
            return self._tokens.copy()

    @property
    def refresh_tokens(self) -> OldestFirst[str, IssuedToken]:
        with self._lock:
            return self._refresh_tokens.copy()

    @property
    def rate_buckets(self) -> OldestFirst[Principal, RateBucket]:
        with self._lock:
            return self._rates.buckets.copy()

    @property
    def requests(self) -> deque[dict[str, Any]]:
        """A copy of the request log (`requests_after()` reads it in one step)."""
        with self._lock:
            return deque(self._requests, maxlen=self._requests.maxlen)
