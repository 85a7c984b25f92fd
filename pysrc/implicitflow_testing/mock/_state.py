"""Everything the mock server remembers: clients, codes, tokens, failure switches, request log.

All of it sits behind one lock, since tests change switches from their own
thread while the server answers on its event loop.

What callers make it remember is bounded: codes, tokens, refresh tokens and rate-limit buckets are
each kept in an `OldestFirst` store with a cap from `Limits`, and codes and tokens whose time is up
are dropped when read and, a few at a time, as new ones arrive; nothing sweeps a whole store
while a request waits.
"""

import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._getresponse_api import (
    CALLS_PER_SECOND,
    RATE_LIMIT,
    RATE_WINDOW_SECONDS,
    SIMULTANEOUS_CALLS,
)

CODE_LIFETIME = 600  # GetResponse: "exchanged for the access_token in the next 10 minutes"
#: Lifetimes of the seed document, per grant.
DEFAULT_LIFETIMES = {
    "implicit": 3600,
    "authorization_code": 3600,
    "client_credentials": 86400,
    "refresh_token": 86400,
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
REQUEST_LOG_SIZE = 10000
#: How long an expired access token is still known, and answered as expired (401 / 1014 "The
#: access token provided is expired"); after that it is forgotten, and answered as unknown.
EXPIRED_TOKEN_MEMORY = 86400
#: How many entries whose time is up each addition to a store drops from its oldest end, at most:
#: the backlog drains faster than it grows, and no one request pays for all of it.
PURGE_PER_ADD = 2
DEFAULT_API_KEY = "demo-api-key"


class Clock:
    """Wall-clock time plus an offset that tests move forward instead of sleeping."""

    def __init__(self):
        self.offset = 0.0

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds


@dataclass
class Client(ClientMixin):
    """A registered application. `loopback=True` accepts any http://127.0.0.1 or
    http://localhost redirect URI (any port, any path), as the demo client does."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: list
    loopback: bool = False

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        # GetResponse's code flow sends no redirect_uri: the registered callback is used.
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return "all" if scope else ""

    def check_redirect_uri(self, redirect_uri):
        if redirect_uri in self.redirect_uris:
            return True
        if not self.loopback:
            return False
        try:
            parts = urlsplit(redirect_uri)
            return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and not parts.fragment
        except ValueError:
            return False

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method, endpoint):
        # GetResponse has one client, with a secret, for every flow: the implicit grant
        # identifies it by client_id alone ("none"), the token endpoint by HTTP Basic.
        return method in ("none", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type in ("code", "token")

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "client_credentials", "refresh_token",
                              "implicit")


@dataclass
class User:
    """The one GetResponse account behind the consent page (the one `/v3/accounts` answers)."""

    account_id: str = "VfEy1"
    name: str = "Ada Lovelace"
    email: str = "ada.lovelace@example.com"

    def get_user_id(self):
        return self.account_id


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    request_redirect_uri: bool
    scope: str
    expires_at: float
    user: User
    code_challenge: str | None = None  # RFC 7636, when the authorization request sent one
    code_challenge_method: str | None = None

    def get_redirect_uri(self):
        # RFC 6749 4.1.3: the token request repeats redirect_uri only if the authorization
        # request carried one.
        return self.redirect_uri if self.request_redirect_uri else None

    def get_scope(self):
        return self.scope


@dataclass
class IssuedToken(TokenMixin):
    access_token: str
    client_id: str
    grant_type: str
    expires_at: float
    issued_at: float
    refresh_token: str | None = None
    domain: str | None = None
    user: User | None = None
    refresh_revoked: bool = False

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return ""

    def get_expires_in(self):
        return int(self.expires_at - self.issued_at)

    def is_expired(self):
        return False  # refresh tokens do not expire in GetResponse's documentation

    def is_revoked(self):
        return self.refresh_revoked


@dataclass(slots=True)
class RateBucket:
    """One caller's counts: its 10-minute window, its current second, its calls in flight."""

    window_start: float
    used: int = 0
    second: int = -1
    used_this_second: int = 0
    in_flight: int = 0


class OldestFirst(OrderedDict):
    """A dict of at most `cap` entries, oldest first: an entry added past the cap drops the
    oldest one, and an entry set again counts as new. With `gone(value, now)`, an entry whose
    time is up is dropped when it is read (`get` answers as if it were not there), and each
    addition drops up to PURGE_PER_ADD such entries from the oldest end."""

    def __init__(self, cap, clock=None, gone=None):
        super().__init__()
        self.cap, self._clock, self._gone = cap, clock, gone

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.cap:
            self.popitem(last=False)
        if self._gone is not None:
            now = self._clock.now()
            for _ in range(PURGE_PER_ADD):
                if not self or not self._gone(next(iter(self.values())), now):
                    break
                self.popitem(last=False)

    def get(self, key, default=None):
        value = super().get(key, default)
        if value is not default and self._gone is not None and self._gone(value,
                                                                          self._clock.now()):
            del self[key]
            return default
        return value


def code_expired(code, now):
    return code.expires_at <= now


def token_forgotten(token, now):
    return token.expires_at + EXPIRED_TOKEN_MEMORY <= now


def bucket_idle(bucket, now):
    """Nothing in flight and its window over: a new bucket would count the same."""
    return not bucket.in_flight and now - bucket.window_start >= RATE_WINDOW_SECONDS


@dataclass
class Switches:
    """Failure switches; `reset()` puts back these defaults."""

    auto_approve: bool = False
    next_consent: str | None = None  # "allow", "deny" or "wrong_state", used once
    token_lifetime: int | None = None  # seconds for new tokens; None: the seed's lifetimes
    api_error: dict | None = None  # {"status", "code", "message", "remaining"}
    latency_ms: int = 0
    rotate_refresh_tokens: bool = False
    documented_limits: bool = False  # enforce 80 calls a second and 10 at once per account
    #: Text the API answers in place of its own, e.g. {"account": {"firstName": "..."},
    #: "from_field": {"name": "..."}} (every from-field), as `API_TEXT_FIELDS` allows.
    api_text: dict | None = None


class MockState:
    def __init__(self, clock=None, auto_approve=False, max_domains=(), rotate_refresh_tokens=False,
                 api_key=DEFAULT_API_KEY, limits=None):
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.max_domains = tuple(max_domains)
        self.api_key = api_key
        self.limits = limits or Limits()
        #: Called with each log entry once its status is known (the CLI prints through it);
        #: kept across `reset()`, so nothing logged just before a reset is lost.
        self.log_listener = None
        self._defaults = {"auto_approve": auto_approve,
                          "rotate_refresh_tokens": rotate_refresh_tokens}
        self.reset()

    def reset(self):
        with self.lock:
            self.clients = {}
            limits = self.limits
            self.codes = OldestFirst(limits.max_codes, self.clock, code_expired)
            self.tokens = OldestFirst(limits.max_tokens, self.clock, token_forgotten)
            # Refresh tokens do not expire ("IssuedToken.is_expired"): only the cap drops them.
            self.refresh_tokens = OldestFirst(limits.max_refresh_tokens)
            # RateBuckets keyed by `principal()`, made only once a caller has authenticated:
            # "Each user is allowed..." (apidocs.getresponse.com/v3/limits). The least recently
            # counted goes first past `limits.max_rate_buckets`.
            self.rate_buckets = OldestFirst(limits.max_rate_buckets, self.clock, bucket_idle)
            self.requests = deque(maxlen=REQUEST_LOG_SIZE)
            self.switches = Switches(**self._defaults)
            self.clock.offset = 0.0
            self.add_client(Client("demo-client", "demo-secret", "implicitflow demo",
                                   ["http://localhost/callback"], loopback=True))

    def set_limits(self, limits: Limits):
        """Hold what the mock keeps to `limits` from now on (a store over its new cap sheds its
        oldest entries as the next one arrives)."""
        with self.lock:
            self.limits = limits
            self.codes.cap, self.tokens.cap = limits.max_codes, limits.max_tokens
            self.refresh_tokens.cap = limits.max_refresh_tokens
            self.rate_buckets.cap = limits.max_rate_buckets

    def add_client(self, client):
        with self.lock:
            self.clients[client.client_id] = client
        return client

    def lifetime(self, grant_type):
        return self.switches.token_lifetime or DEFAULT_LIFETIMES[grant_type]

    def save_token(self, token):
        if token.domain not in self.max_domains:
            token.domain = None  # an X-Domain header the mock does not serve is kept nowhere
        with self.lock:
            self.tokens[token.access_token] = token
            if token.refresh_token:
                self.refresh_tokens[token.refresh_token] = token

    def expire_tokens(self, access_token=None):
        """Make one token (or all) expired now; returns how many were changed."""
        with self.lock:
            now = self.clock.now()
            chosen = [self.tokens[access_token]] if access_token in self.tokens else (
                list(self.tokens.values()) if access_token is None else [])
            for token in chosen:
                token.expires_at = min(token.expires_at, now)
            return len(chosen)

    def principal(self, account_id, domain):
        """Whom an authenticated call counts against: the account, with its MAX domain when that
        is one of this mock's. Any other X-Domain value names nobody, so it makes no bucket."""
        return (domain if domain in self.max_domains else "", account_id)

    def _bucket(self, principal, now):
        bucket = self.rate_buckets.get(principal)
        if bucket is None:
            bucket = self.rate_buckets[principal] = RateBucket(now)
        else:
            self.rate_buckets.move_to_end(principal)  # so the least recently counted go first
        return bucket

    def take_rate_limit(self, principal):
        """Count one call against a principal's window; (remaining, seconds until the window
        resets)."""
        with self.lock:
            now = self.clock.now()
            bucket = self._bucket(principal, now)
            if now - bucket.window_start >= RATE_WINDOW_SECONDS:
                bucket.window_start, bucket.used = now, 0
            bucket.used += 1
            return RATE_LIMIT - bucket.used, bucket.window_start + RATE_WINDOW_SECONDS - now

    def begin_call(self, principal):
        """With `documented_limits` on, the limit the call passes ("per second" or
        "simultaneous"), if any; otherwise the call is counted in flight until `end_call`."""
        with self.lock:
            if not self.switches.documented_limits:
                return None
            now = self.clock.now()
            bucket, second = self._bucket(principal, now), int(now)
            if bucket.second != second:
                bucket.second, bucket.used_this_second = second, 0
            bucket.used_this_second += 1
            if bucket.used_this_second > CALLS_PER_SECOND:
                return "per second"
            if bucket.in_flight >= SIMULTANEOUS_CALLS:
                return "simultaneous"
            bucket.in_flight += 1
            return None

    def end_call(self, principal):
        with self.lock:
            bucket = self.rate_buckets.get(principal)
            if bucket is not None and bucket.in_flight:
                bucket.in_flight -= 1

    def arm_api_error(self, status, code, count=1, message=None):
        """Answer the next `count` API calls with GetResponse's error body for `code`."""
        with self.lock:
            self.switches.api_error = {"status": status, "code": code, "remaining": count,
                                       "message": message}

    def take_api_error(self):
        """The forced API error for this call, if one is armed."""
        with self.lock:
            forced = self.switches.api_error
            if not forced:
                return None
            forced["remaining"] -= 1
            if forced["remaining"] <= 0:
                self.switches.api_error = None
            return dict(forced)

    def take_next_consent(self):
        with self.lock:
            decision, self.switches.next_consent = self.switches.next_consent, None
            return decision
