"""What the mock's OAuth 2.0 server hands to Authlib: the registered client, the one account, an
authorization code, an issued token (each with the Authlib mixin its grants call)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin

#: The host names a loopback client's redirect URI may name (`Client.loopback`).
LOOPBACK_REDIRECT_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Account:
    """The one GetResponse account behind the consent page, the one `/v3/accounts` answers."""

    account_id: str = "VfEy1"
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    email: str = "ada.lovelace@example.com"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def get_user_id(self) -> str:
        return self.account_id


#: The account: the consent page names it, tokens are issued for it, the API answers it.
ACCOUNT = Account()


@dataclass
class Client(ClientMixin):
    """A registered application. `loopback=True` accepts any http://127.0.0.1 or
    http://localhost redirect URI (any port, any path), as the demo client does."""

    client_id: str
    client_secret: str
    name: str
    redirect_uris: list[str] = field(default_factory=list)
    loopback: bool = False

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # GetResponse's code flow sends no redirect_uri: the registered callback is used.
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return "all" if scope else ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if redirect_uri in self.redirect_uris:
            return True
        if not self.loopback:
            return False
        try:
            parts = urlsplit(redirect_uri)
            return (parts.scheme == "http" and parts.hostname in LOOPBACK_REDIRECT_HOSTS
                    and not parts.fragment)
        except ValueError:
            return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret.encode(), client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # GetResponse has one client, with a secret, for every flow: the implicit grant
        # identifies it by client_id alone ("none"), the token endpoint by HTTP Basic.
        return method in ("none", "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type in ("code", "token")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "client_credentials", "refresh_token",
                              "implicit")


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    request_redirect_uri: bool
    scope: str
    expires_at: float
    user: Account
    code_challenge: str | None = None  # RFC 7636, when the authorization request sent one
    code_challenge_method: str | None = None

    def get_redirect_uri(self) -> str | None:
        # RFC 6749 4.1.3: the token request repeats redirect_uri only if the authorization
        # request carried one.
        return self.redirect_uri if self.request_redirect_uri else None

    def get_scope(self) -> str:
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
    user: Account | None = None
    refresh_revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return ""

    def get_expires_in(self) -> int:
        return int(self.expires_at - self.issued_at)

    def is_expired(self) -> bool:
        return False  # refresh tokens do not expire in GetResponse's documentation

    def is_revoked(self) -> bool:
        return self.refresh_revoked
