"""The mock GetResponse server as an ASGI app, one part per job:

    /oauth2_authorize.html  the consent page and the redirect back (_authorization_endpoint)
    /v3/token               the token endpoint (_token_endpoint)
    /v3/...                 the API (_api_endpoints)
    /_mock/...              the controls (_control_endpoints, from the table in _controls)

each a Starlette app with its own error handler (its own error format), behind the request log,
the host and origin refusal and the latency switch (_middleware). Request bodies are read and
checked in one place (_http); pages are templates (_pages).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from implicitflow_testing.mock import _authorization_endpoint, _token_endpoint
from implicitflow_testing.mock._access_policy import AccessPolicy
from implicitflow_testing.mock._api_endpoints import api_app
from implicitflow_testing.mock._authorization_endpoint import authorization_app
from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._control_endpoints import controls_app
from implicitflow_testing.mock._http import html_not_found
from implicitflow_testing.mock._middleware import AccessRefusal, Latency, RequestLog
from implicitflow_testing.mock._oauth_server import MockAuthorizationServer
from implicitflow_testing.mock._state import MockState
from implicitflow_testing.mock._token_endpoint import token_app


class MockApp:
    """The whole mock; `MockServer` serves it and drives its state."""

    def __init__(self, state: MockState, allow_origins: Iterable[str] = (),
                 allowed_hosts: Iterable[str] = (), limits: Limits | None = None) -> None:
        self.state = state
        self.limits = limits or Limits()
        state.set_limits(self.limits)
        allow_origins = list(allow_origins)
        self.access = AccessPolicy(allowed_hosts, allow_origins)
        oauth = MockAuthorizationServer(state)
        self.controls = controls_app(state, self.limits)
        # A Route whose endpoint is an app hands it the request whole (its path unchanged): each
        # part's own routes and error handler then answer it.
        routes = [
            Route(_authorization_endpoint.PATH, authorization_app(state, oauth, self.limits)),
            Route(_token_endpoint.PATH, token_app(state, oauth, self.limits)),
            Route("/v3/{rest:path}", api_app(state)),
            Route("/_mock/{rest:path}", self.controls),
        ]
        middleware = []
        if allow_origins:
            # Off by default: the real API sends no CORS headers, so a mock that did would let
            # a browser app pass tests and then fail against GetResponse.
            middleware.append(Middleware(CORSMiddleware, allow_origins=allow_origins,
                                         allow_methods=["*"], allow_headers=["*"],
                                         expose_headers=["X-RateLimit-Limit",
                                                         "X-RateLimit-Remaining",
                                                         "X-RateLimit-Reset", "Retry-After"]))
        self.asgi = Starlette(routes=routes, middleware=middleware)
        self.asgi.router.not_found = html_not_found
        self._app = RequestLog(AccessRefusal(Latency(self.asgi, state), self.access), state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)
