"""Typed errors: every failure a program can branch on, none of them carrying a token."""


def describe(value, limit=24):
    """A short, safe rendering of an untrusted value for an error message.

    Values that came from a fragment are shown truncated and quoted, with every
    character outside printable ASCII escaped, so a message never carries a whole
    credential, markup, or a bidirectional-override character that reorders what
    a person reads. Escaping is done here rather than by repr(), whose notion of
    "printable" differs between CPython and Brython.
    """
    text = value if isinstance(value, str) else str(value)
    shown = text[:limit]
    out = []
    for char in shown:
        code = ord(char)
        if 0x20 <= code < 0x7F and char not in "'\\<>&\"":
            out.append(char)
        elif code < 0x100:
            out.append("\\x" + "0123456789abcdef"[code >> 4] + "0123456789abcdef"[code & 15])
        else:
            out.append("\\u{" + hex(code)[2:] + "}")
    return "'" + "".join(out) + ("...'" if len(text) > limit else "'")


#: What stands where a credential was in text a server sent.
REDACTED = "[redacted]"


def redact(text, secret=None):
    """`text` with `secret` and the word after every "Bearer" replaced by REDACTED: servers
    echo the token they were sent in their error messages. Other values as they are."""
    if not isinstance(text, str):
        return text
    if secret:
        text = text.replace(secret, REDACTED)
    if "bearer" in text.lower():
        words = text.split()
        for index in range(len(words) - 1, 0, -1):  # backwards: "Bearer Bearer x" hides x too
            if words[index - 1].lower().endswith("bearer"):
                words[index] = REDACTED
        text = " ".join(words)
    return text


class ImplicitFlowError(Exception):
    """Base class. `kind` is a stable, machine-readable name for the failure."""

    kind = "implicitflow_error"

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def to_dict(self):
        """The error as plain data (for the JavaScript API and for logging)."""
        data = {"name": type(self).__name__, "kind": self.kind, "message": str(self)}
        for name in self.fields:
            data[name] = getattr(self, name)
        return data

    fields = ()


def error_to_data(error):
    """Any exception as plain data {name, kind, message, ...}: typed errors with their
    fields, anything else as an internal error."""
    if isinstance(error, ImplicitFlowError):
        return error.to_dict()
    return {"name": type(error).__name__, "kind": "internal_error", "message": str(error)}


class ConfigurationError(ImplicitFlowError, ValueError):
    """The application passed an option that cannot work (a bad domain, a bad storage name)."""

    kind = "configuration_error"


class UnsafeReturnToError(ImplicitFlowError, ValueError):
    """`return_to` was not a same-origin path, so following it could be an open redirect."""

    kind = "unsafe_return_to"


class MalformedResponseError(ImplicitFlowError):
    """The authorization response in the fragment is not a well-formed RFC 6749 response."""

    kind = "malformed_response"


class StateMismatchError(ImplicitFlowError):
    """The response's `state` does not match a login this tab started (RFC 6749 10.12).

    `reason` is one of "missing", "unknown", "replayed", "stale", "corrupt", and "abandoned"
    (a popup's login reached on a callback page its opener is not waiting on).
    """

    kind = "state_mismatch"
    fields = ("reason",)

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class IssuerMismatchError(ImplicitFlowError):
    """The answer's `iss` does not name the provider the login was started with (RFC 9207):
    a sign of a mix-up attack between providers."""

    kind = "issuer_mismatch"


class AuthorizationDeniedError(ImplicitFlowError):
    """The provider answered with `#error=...` (RFC 6749 4.2.2.1), e.g. the user clicked Deny."""

    kind = "authorization_denied"
    fields = ("error", "description")

    def __init__(self, error, description=None):
        # Both come from the fragment: escaped like every other untrusted value.
        message = "The provider refused the authorization: " + describe(error, 64)
        if description:
            message += " (" + describe(description, 200) + ")"
        super().__init__(message)
        self.error = error
        self.description = description


class PopupBlockedError(ImplicitFlowError):
    """The browser did not open the sign-in popup (a popup blocker)."""

    kind = "popup_blocked"


class PopupClosedError(ImplicitFlowError):
    """The user closed the sign-in popup before the provider answered."""

    kind = "popup_closed"


class PopupTimeoutError(ImplicitFlowError):
    """The sign-in popup gave no answer in time."""

    kind = "popup_timeout"


class LoginRequiredError(ImplicitFlowError):
    """There is no valid token: the user must sign in (again)."""

    kind = "login_required"


class TokenExpiredError(LoginRequiredError):
    """The token expired, or the API said it is no longer valid (GetResponse code 1014, or
    RFC 6750 `invalid_token`, then given in `error`)."""

    kind = "token_expired"
    fields = ("error",)

    def __init__(self, message, error=None):
        super().__init__(message)
        self.error = error


class NetworkError(ImplicitFlowError):
    """The request never got an HTTP answer: offline, DNS, or blocked by CORS."""

    kind = "network_error"


class StorageError(ImplicitFlowError):
    """The browser refused its storage (full: QuotaExceededError; blocked: SecurityError)."""

    kind = "storage_error"


class ApiError(ImplicitFlowError):
    """The API answered with an error; for GetResponse the fields of its error body, for
    other providers the RFC 6750 3.1 `error` code (body or `WWW-Authenticate` header)."""

    kind = "api_error"
    fields = ("http_status", "code", "more_info", "error")

    def __init__(self, http_status, code=None, message=None, more_info=None, error=None):
        text = "The API answered HTTP " + str(http_status)
        if code is not None:
            text += " with code " + str(code)
        if error is not None:
            text += " with error " + describe(error, 64)
        if message:
            text += ": " + message
        Exception.__init__(self, text)
        self.message = message or text
        self.http_status = http_status
        self.code = code
        self.more_info = more_info
        self.error = error


class InsufficientScopeError(ApiError):
    """RFC 6750 3.1 `insufficient_scope`: the token is valid but does not allow this call."""

    kind = "insufficient_scope"


class RateLimitedError(ApiError):
    """The API's quota is used up (HTTP 429, GetResponse code 1015); `reset` says when it refills."""

    kind = "rate_limited"
    fields = ApiError.fields + ("reset",)

    def __init__(self, http_status, code=None, message=None, more_info=None, reset=None):
        super().__init__(http_status, code, message, more_info)
        self.reset = reset
