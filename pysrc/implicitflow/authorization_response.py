"""Reading the implicit grant's answer from the URL fragment (RFC 6749 4.2.2 and 4.2.2.1)."""

from . import form_urlencoded
from .errors import (
    AuthorizationDeniedError,
    IssuerMismatchError,
    MalformedResponseError,
    describe,
)

#: Keys that mark a fragment as an authorization response rather than an in-page anchor.
RESPONSE_KEYS = ("access_token", "error", "state")

#: Ten years. A larger `expires_in` is a broken server, not a long-lived token.
MAX_EXPIRES_IN = 315360000


class TokenResponse:
    """A successful implicit-grant response: the fields RFC 6749 4.2.2 defines."""

    __slots__ = ("access_token", "token_type", "expires_in", "scope", "state")

    def __init__(self, access_token, token_type, expires_in, state, scope=None):
        self.access_token = access_token
        self.token_type = token_type
        self.expires_in = expires_in
        self.state = state
        self.scope = scope

    def __repr__(self):
        return (
            "TokenResponse(token_type=" + repr(self.token_type)
            + ", expires_in=" + repr(self.expires_in) + ", access_token=<redacted>)"
        )


def is_authorization_response(fragment):
    """True when the fragment carries an OAuth2 answer, judged by its raw keys only.

    An app with in-page anchors (`#section-2`) or hash routing must not have them
    eaten, so only fragments with an RFC 6749 response key are handled.
    """
    text = fragment[1:] if fragment.startswith("#") else fragment
    for piece in text.split("&"):
        if piece.partition("=")[0] in RESPONSE_KEYS:
            return True
    return False


def parse_fragment(fragment):
    """The fragment's parameters as a dict; typed errors for anything malformed."""
    text = fragment[1:] if fragment.startswith("#") else fragment
    params = form_urlencoded.decode_unique(text)
    if not params:
        raise MalformedResponseError("The fragment holds no parameters")
    return params


def fragment_state(fragment):
    """The answer's `state`, or None when the fragment cannot be read."""
    try:
        return parse_fragment(fragment).get("state")
    except MalformedResponseError:
        return None


def parse_expires_in(value, default):
    """`expires_in` as whole seconds. RFC 6749 makes it RECOMMENDED, hence the default."""
    if value is None:
        return default
    if not value.isdigit() or not value.isascii():
        raise MalformedResponseError(
            "expires_in must be a whole number of seconds, got " + describe(value)
        )
    # Length first: int() of a 5,000-digit string raises ValueError in CPython.
    if len(value) > len(str(MAX_EXPIRES_IN)) or int(value) > MAX_EXPIRES_IN:
        raise MalformedResponseError("expires_in is out of range: " + describe(value))
    return int(value)


def is_vschar_text(text):
    """RFC 6749 appendix A.12: `access_token = 1*VSCHAR`, printable ASCII from %x20 to %x7E."""
    # Printable ASCII is exactly %x20-7E (DEL and the C0 controls are not printable).
    return bool(text) and text.isascii() and text.isprintable()


def read_authorization_response(params, default_expires_in=3600, issuer=None):
    """Turn parsed parameters into a `TokenResponse`, or raise the error they describe.

    The caller checks `state` first: an `error` answer is only trusted once its
    state is known to be ours, or anyone could show the user a fake denial. With
    an `issuer`, the answer's `iss` must name it, errors included (RFC 9207 2.4).
    """
    if issuer is not None and params.get("iss") != issuer:
        raise IssuerMismatchError(
            "The answer's issuer " + describe(params.get("iss", ""), 64)
            + " is not this provider's " + describe(issuer, 64) + " (RFC 9207)")
    if "error" in params:
        raise AuthorizationDeniedError(params["error"], params.get("error_description"))
    access_token = params.get("access_token")
    if not access_token:
        raise MalformedResponseError("The response has no access_token")
    # A token with NUL, CR/LF or non-ASCII could never be sent in a header: say so now,
    # not later as a misleading network failure.
    if not is_vschar_text(access_token):
        raise MalformedResponseError(
            "The access_token holds characters RFC 6749 (appendix A.12) does not allow")
    token_type = params.get("token_type")
    if not token_type:
        raise MalformedResponseError("The response has no token_type")
    # RFC 6749 7.1: the type is case-insensitive; GetResponse sends "bearer".
    if token_type.lower() != "bearer":
        raise MalformedResponseError(
            "Only bearer tokens can be used, got token_type " + describe(token_type)
        )
    expires_in = parse_expires_in(params.get("expires_in"), default_expires_in)
    return TokenResponse(access_token, token_type, expires_in, params.get("state"),
                         params.get("scope"))
