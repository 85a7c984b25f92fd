"""Providers: where to send the user, where the API lives, and what every call must carry."""

from . import form_urlencoded
from .authorization_response import MAX_EXPIRES_IN
from .errors import ConfigurationError, describe

GETRESPONSE_AUTHORIZE_URL = "https://app.getresponse.com/oauth2_authorize.html"
GETRESPONSE_API_BASE = "https://api.getresponse.com/v3"
GETRESPONSE_MAX_API_BASES = {
    "us": "https://api3.getresponse360.com/v3",
    "pl": "https://api3.getresponse360.pl/v3",
}


#: Names that always mean this machine, so plain http to them never crosses a network.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")

#: RFC 6749 3.3: `scope-token = 1*NQCHAR`, printable ASCII but space, `"` and `\`.
_NQCHAR = frozenset(chr(code) for code in range(0x21, 0x7F)) - frozenset('"\\')


def is_loopback_url(url):
    """True for an http(s) URL whose host is this machine (localhost, 127.0.0.0/8, [::1])."""
    authority = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        return False
    host = authority.rsplit(":", 1)[0] if not authority.endswith("]") else authority
    host = host.lower()
    return host in LOOPBACK_HOSTS or host.endswith(".localhost") or (
        host.startswith("127.") and all(part.isdigit() for part in host.split(".")))


def check_api_base(api_base):
    """An API base receives the bearer token: https, a same-origin path, or http on loopback."""
    if api_base is None:
        return None
    if not isinstance(api_base, str) or not api_base:
        raise ConfigurationError("api_base must be a URL or a same-origin path such as '/api'")
    lowered = api_base.lower()
    if lowered.startswith("https://"):
        return api_base
    if lowered.startswith("http://"):
        if is_loopback_url(api_base):
            return api_base
        raise ConfigurationError(
            "api_base " + describe(api_base, 64) + " is plain http: the bearer token would "
            "cross the network unencrypted; use https (http is allowed for loopback only)")
    if api_base.startswith("/") and not api_base.startswith("//") and "\\" not in api_base:
        return api_base
    raise ConfigurationError(
        "api_base must be an https URL or a path on this site, got " + describe(api_base, 64))


def scope_string(scope):
    """RFC 6749 3.3: a space-separated string; a list of scope tokens is joined with spaces."""
    if scope is None or scope == "":
        return None
    tokens = scope.split(" ") if isinstance(scope, str) else scope
    if not isinstance(tokens, (list, tuple)) or not all(
            isinstance(token, str) and token and all(c in _NQCHAR for c in token)
            for token in tokens):
        raise ConfigurationError(
            "scope must be a string of space-separated scopes or a list of them, got "
            + describe(scope, 64))
    return " ".join(tokens)


class Provider:
    """An OAuth2 provider offering `response_type=token`, and the client registered with it.

    `issuer`: the provider's RFC 9207 issuer identifier, for providers that send `iss`
    with the answer; when given, an answer must carry it.
    """

    def __init__(self, authorize_url, api_base, client_id, redirect_uri, headers=None,
                 scope=None, default_expires_in=3600, name="oauth2", issuer=None):
        for label, value in (("authorize_url", authorize_url), ("client_id", client_id),
                             ("redirect_uri", redirect_uri)):
            if not isinstance(value, str) or not value:
                raise ConfigurationError(label + " is required")
        if "#" in authorize_url:
            raise ConfigurationError("authorize_url may not contain a fragment (RFC 6749 3.1)")
        if (not isinstance(default_expires_in, int) or isinstance(default_expires_in, bool)
                or not 0 < default_expires_in <= MAX_EXPIRES_IN):
            raise ConfigurationError(
                "default_expires_in must be a whole number of seconds, got "
                + describe(default_expires_in))
        if issuer is not None and (not isinstance(issuer, str) or not issuer):
            raise ConfigurationError("issuer must be the provider's issuer URL")
        self.authorize_url = authorize_url
        self.api_base = check_api_base(api_base)
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.headers = dict(headers or {})
        self.scope = scope_string(scope)
        self.default_expires_in = default_expires_in
        self.name = name
        self.issuer = issuer

    @property
    def identity(self):
        """Who a login is with (RFC 9700 4.4, mix-up): where it signs in, as which client,
        where it comes back, and the MAX domain. Pending logins record it."""
        return form_urlencoded.encode([
            ("authorize_url", self.authorize_url), ("client_id", self.client_id),
            ("redirect_uri", self.redirect_uri), ("domain", self.headers.get("X-Domain", "")),
        ])

    @property
    def token_key(self):
        """Who a token is for: the login's identity but the callback page, so pages of one
        app with different callbacks share a sign-in while providers and MAX domains do not."""
        return form_urlencoded.encode([
            ("authorize_url", self.authorize_url), ("client_id", self.client_id),
            ("domain", self.headers.get("X-Domain", "")),
        ])

    def __repr__(self):
        return "Provider(name=" + repr(self.name) + ", client_id=" + repr(self.client_id) + ")"

    def authorization_url(self, state):
        """The URL that starts an implicit grant (RFC 6749 4.2.1)."""
        pairs = [
            ("response_type", "token"),
            ("client_id", self.client_id),
            ("redirect_uri", self.redirect_uri),
            ("state", state),
        ]
        if self.scope:
            pairs.append(("scope", self.scope))
        separator = "&" if "?" in self.authorize_url else "?"
        return self.authorize_url + separator + form_urlencoded.encode(pairs)


def getresponse(client_id, redirect_uri, authorize_url=GETRESPONSE_AUTHORIZE_URL,
                api_base=GETRESPONSE_API_BASE):
    """GetResponse (SMB). The URLs can be pointed elsewhere, e.g. at a local mock server."""
    return Provider(authorize_url, api_base, client_id, redirect_uri, name="getresponse")


def check_max_domain(domain):
    """A MAX custom domain as GetResponse wants it in `X-Domain`: a bare host name."""
    if not isinstance(domain, str) or not domain:
        raise ConfigurationError("getresponse_max needs domain, e.g. 'acme.getresponse360.com'")
    host = domain.lower()
    allowed = "abcdefghijklmnopqrstuvwxyz0123456789-."
    if (host != domain or host.startswith("www.") or "." not in host
            or not all(c in allowed for c in host) or host.startswith(".") or host.endswith(".")):
        raise ConfigurationError(
            "domain must be a bare lowercase host without scheme, port, path or 'www.', "
            "e.g. 'acme.getresponse360.com'; got " + describe(domain, 64)
        )
    return host


def getresponse_max(client_id, redirect_uri, domain, region="us", authorize_url=None,
                    api_base=None):
    """GetResponse MAX (formerly 360): sign-in on the client's custom domain, the API of its
    region, and `X-Domain: <domain>` on every call."""
    host = check_max_domain(domain)
    if region not in GETRESPONSE_MAX_API_BASES:
        raise ConfigurationError("region must be 'us' or 'pl', got " + describe(region))
    return Provider(
        authorize_url or "https://" + host + "/oauth2_authorize.html",
        api_base or GETRESPONSE_MAX_API_BASES[region],
        client_id,
        redirect_uri,
        headers={"X-Domain": host},
        name="getresponse_max",
    )
