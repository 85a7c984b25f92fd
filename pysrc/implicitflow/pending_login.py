"""Pending logins: the one-time `state` of each redirect this tab started (RFC 6749 10.12).

Each login is its own record under its own key, so two logins started at once
both complete, and a record is deleted the moment its answer is read, so the
same callback URL cannot be used twice. A short-lived "used" marker remembers
consumed states, so a replay is reported as such rather than as unknown.

Each record names the provider identity that started it (authorize URL, client,
redirect URI, MAX domain): with two providers on one site, a flow takes only its
own records and leaves the others' alone (RFC 9700 4.4, mix-up attacks).
"""

from . import form_urlencoded
from .errors import StateMismatchError, describe
from .return_to import safe_return_to

PENDING_PREFIX = "implicitflow.pending."
USED_PREFIX = "implicitflow.used."

#: A login older than this is refused: RFC 6749 gives no number; ten minutes is
#: GetResponse's lifetime for authorization codes and ample for a consent page.
STATE_TTL = 600

#: Random bytes in a state: 256 bits, twice the 128 that RFC 6749 10.10 asks for.
STATE_BYTES = 32


def new_state(random_bytes):
    """A URL-safe state (lowercase hex) from `random_bytes`, which must hold >= 16 bytes."""
    if len(random_bytes) < 16:
        raise ValueError("a state needs at least 128 bits of randomness")
    return bytes(random_bytes).hex()


def _is_state_shaped(state):
    # Stripping the hex digits leaves nothing exactly when there is nothing else: one native
    # call under Brython, where a generator over the characters costs a StopIteration.
    return 32 <= len(state) <= 128 and not state.strip("0123456789abcdef")


def is_recent(timestamp_text, now):
    """True when a stored `repr(float(time))` is less than `STATE_TTL` old; False when it is
    older, missing, or unreadable (a marker that cannot be read is dropped, never trusted)."""
    try:
        stored_at = float(timestamp_text or "nan")
    except ValueError:
        return False
    return now - stored_at < STATE_TTL  # False for NaN


class PendingLogin:
    """A login in progress: its state, the provider identity it was started with, when it
    started, and where to go afterwards."""

    __slots__ = ("state", "provider", "created_at", "return_to")

    def __init__(self, state, provider, created_at, return_to=None):
        self.state = state
        self.provider = provider
        self.created_at = created_at
        self.return_to = return_to

    def to_storage_string(self):
        pairs = [("state", self.state), ("provider", self.provider),
                 ("created_at", repr(float(self.created_at)))]
        if self.return_to is not None:
            pairs.append(("return_to", self.return_to))
        return form_urlencoded.encode(pairs)

    @classmethod
    def from_storage_string(cls, text):
        """Read a stored record; a tampered or corrupt one raises `StateMismatchError("corrupt")`."""
        try:
            fields = form_urlencoded.decode_unique(text)
            created_at = float(fields["created_at"])
            login = cls(fields["state"], fields["provider"], created_at,
                        safe_return_to(fields.get("return_to")))
        except Exception:  # whatever a stored string holds, reading it fails with a typed error
            raise StateMismatchError(
                "corrupt", "The stored login record is corrupt; start the login again"
            ) from None
        if created_at != created_at or not _is_state_shaped(login.state):  # NaN, or edited state
            raise StateMismatchError(
                "corrupt", "The stored login record is corrupt; start the login again"
            )
        return login

    def is_stale(self, now):
        # A record from the future was written by a wrong clock or by hand: refuse it too.
        return not (self.created_at - 60 <= now < self.created_at + STATE_TTL)


class PendingLogins:
    """The store of pending logins, on top of any key-value storage (sessionStorage in a browser)."""

    def __init__(self, storage):
        self._storage = storage

    def add(self, login):
        self._storage.set(PENDING_PREFIX + login.state, login.to_storage_string())

    def take(self, state, now, provider):
        """Remove and return the pending login for `state` started with `provider` (an
        identity); None when another provider's flow started it, which keeps its record.
        Else raise `StateMismatchError`.

        An own record is deleted before it is judged: whatever the outcome, a state is
        never accepted twice.
        """
        if not state:
            raise StateMismatchError(
                "missing", "The response carries no state, so it cannot be matched to a login"
            )
        if not _is_state_shaped(state):
            raise StateMismatchError(
                "unknown", "The response's state " + describe(state)
                + " was not issued by this library"
            )
        key = PENDING_PREFIX + state
        text = self._storage.get(key)
        if not text:
            self._storage.remove(key)  # an empty record cannot be read: drop it
            if self._storage.get(USED_PREFIX + state):
                raise StateMismatchError(
                    "replayed", "The response's state " + describe(state)
                    + " was already used: a callback URL works only once"
                )
            raise StateMismatchError(
                "unknown", "The response's state " + describe(state)
                + " does not match a login started in this tab"
            )
        try:
            login = PendingLogin.from_storage_string(text)
        except StateMismatchError:
            self._storage.remove(key)
            raise
        if login.provider != provider:
            return None
        self._storage.remove(key)
        self._storage.set(USED_PREFIX + state, repr(float(now)))
        if login.state != state:
            raise StateMismatchError(
                "corrupt", "The stored login record does not belong to state " + describe(state)
            )
        if login.is_stale(now):
            raise StateMismatchError(
                "stale", "The login started more than " + str(STATE_TTL // 60)
                + " minutes ago; start it again"
            )
        return login

    def discard(self, state):
        """Forget a login that will get no answer (its popup was blocked or closed)."""
        self._storage.remove(PENDING_PREFIX + state)

    def purge(self, now):
        """Delete records and used-markers older than the TTL, and any that cannot be read."""
        for key in self._storage.keys():
            if key.startswith(PENDING_PREFIX):
                try:
                    stale = PendingLogin.from_storage_string(self._storage.get(key) or "").is_stale(now)
                except StateMismatchError:
                    stale = True
                if stale:
                    self._storage.remove(key)
            elif key.startswith(USED_PREFIX) and not is_recent(self._storage.get(key), now):
                self._storage.remove(key)
