"""The access token and its expiry arithmetic, and the store that keeps one per client."""

from . import form_urlencoded
from .authorization_response import is_vschar_text
from .errors import MalformedResponseError


class Token:
    """An access token with the absolute time (seconds since the epoch) it expires at.

    Its repr never shows the token itself, so printing or logging one is safe.
    """

    __slots__ = ("access_token", "token_type", "expires_at", "scope")

    def __init__(self, access_token, token_type, expires_at, scope=None):
        self.access_token = access_token
        self.token_type = token_type
        self.expires_at = expires_at
        self.scope = scope

    def __repr__(self):
        return (
            "Token(token_type=" + repr(self.token_type) + ", expires_at=" + repr(self.expires_at)
            + ", access_token=<redacted>)"
        )

    def __eq__(self, other):
        return isinstance(other, Token) and (
            (self.access_token, self.token_type, self.expires_at, self.scope)
            == (other.access_token, other.token_type, other.expires_at, other.scope)
        )

    def expires_in(self, now):
        """Seconds left, never negative."""
        return max(0.0, self.expires_at - now)

    def is_valid(self, now, skew=0):
        """Valid while `now < expires_at - skew`: the skew absorbs clock and network delay."""
        return now < self.expires_at - skew

    def to_storage_string(self):
        pairs = [
            ("access_token", self.access_token),
            ("token_type", self.token_type),
            ("expires_at", repr(float(self.expires_at))),
        ]
        if self.scope is not None:
            pairs.append(("scope", self.scope))
        return form_urlencoded.encode(pairs)

    @classmethod
    def from_storage_string(cls, text):
        """Read a stored token; a tampered or corrupt record raises `MalformedResponseError`."""
        try:
            fields = form_urlencoded.decode_unique(text)
            expires_at = float(fields["expires_at"])
            token = cls(fields["access_token"], fields["token_type"], expires_at, fields.get("scope"))
        except Exception:  # whatever a stored string holds, reading it fails with a typed error
            token = None
        # expires_at != expires_at: NaN
        if token is None or not is_vschar_text(token.access_token) or expires_at != expires_at:
            raise MalformedResponseError("The stored token record is corrupt")
        return token


TOKEN_PREFIX = "implicitflow.token."


class TokenStore:
    """One token per provider and client (`Provider.token_key`) in a key-value storage:
    GetResponse and MAX with one client id keep two tokens, never one."""

    def __init__(self, storage, token_key):
        self._storage = storage
        self.key = TOKEN_PREFIX + token_key

    def load(self):
        """The stored token, or None. A corrupt record is deleted, then reported by raising."""
        text = self._storage.get(self.key)
        if not text:
            return None
        try:
            return Token.from_storage_string(text)
        except MalformedResponseError:
            self._storage.remove(self.key)
            raise

    def save(self, token):
        self._storage.set(self.key, token.to_storage_string())

    def clear(self):
        self._storage.remove(self.key)
