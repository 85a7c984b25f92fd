"""Providers: where to send the user, where the API lives, and what every call must carry."""

from . import form_urlencoded
from .errors import ConfigurationError, describe

GETRESPONSE_AUTHORIZE_URL = "https://app.getresponse.com/oauth2_authorize.html"
GETRESPONSE_API_BASE = "https://api.getresponse.com/v3"
GETRESPONSE_MAX_API_BASES = {
    "us": "https://api3.getresponse360.com/v3",
    "pl": "https://api3.getresponse360.pl/v3",
}


class Provider:
    """An OAuth2 provider offering `response_type=token`, and the client registered with it."""

    def __init__(self, authorize_url, api_base, client_id, redirect_uri, headers=None,
                 scope=None, default_expires_in=3600, name="oauth2"):
        for label, value in (("authorize_url", authorize_url), ("client_id", client_id),
                             ("redirect_uri", redirect_uri)):
            if not isinstance(value, str) or not value:
                raise ConfigurationError(label + " is required")
        if "#" in authorize_url:
            raise ConfigurationError("authorize_url may not contain a fragment (RFC 6749 3.1)")
        self.authorize_url = authorize_url
        self.api_base = api_base
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.headers = dict(headers or {})
        self.scope = scope
        self.default_expires_in = default_expires_in
        self.name = name

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
