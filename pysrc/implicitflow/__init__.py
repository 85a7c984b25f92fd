"""implicitflow: the OAuth2 implicit flow in the browser, for Brython and plain JavaScript apps.

    from implicitflow import ImplicitFlow, getresponse

    flow = ImplicitFlow(getresponse(client_id="...", redirect_uri="https://app.example/"))
    flow.handle_redirect()      # on every page load
    if flow.token is None:
        flow.login(return_to="/inbox")
"""

from .errors import (
    ApiError,
    AuthorizationDeniedError,
    ConfigurationError,
    ImplicitFlowError,
    InsufficientScopeError,
    IssuerMismatchError,
    LoginRequiredError,
    MalformedResponseError,
    NetworkError,
    PopupBlockedError,
    PopupClosedError,
    PopupTimeoutError,
    RateLimitedError,
    StateMismatchError,
    StorageError,
    TokenExpiredError,
    UnsafeReturnToError,
)
from .flow import ImplicitFlow, LoginResult
from .providers import Provider, getresponse, getresponse_max
from .token import Token

__all__ = [
    "ApiError",
    "AuthorizationDeniedError",
    "ConfigurationError",
    "ImplicitFlow",
    "ImplicitFlowError",
    "InsufficientScopeError",
    "IssuerMismatchError",
    "LoginRequiredError",
    "LoginResult",
    "MalformedResponseError",
    "NetworkError",
    "PopupBlockedError",
    "PopupClosedError",
    "PopupTimeoutError",
    "Provider",
    "RateLimitedError",
    "StateMismatchError",
    "StorageError",
    "Token",
    "TokenExpiredError",
    "UnsafeReturnToError",
    "getresponse",
    "getresponse_max",
]

try:
    # Only Brython has a `javascript` module; `sys` would cost the 5 MB stdlib bundle there.
    import javascript  # noqa: F401
except ImportError:  # CPython: the pure core only
    pass
else:
    # In a page, importing the package is enough for plain JavaScript to use it. The
    # JavaScript face is compiled only when a page first calls create(): Brython compiles
    # modules in the browser, and a Python app's callback page should not pay for it.
    from .errors import error_to_data
    from .javascript_bridge import publish, throwing, to_javascript

    def _create_for_javascript(options=None):
        from .javascript_api import create

        return create(options)

    publish("implicitflow", to_javascript({"create": throwing(_create_for_javascript, error_to_data)}),
            "implicitflow:ready")
