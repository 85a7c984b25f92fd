"""`POST /v3/token`: Authlib's authorization-code, client-credentials and refresh-token grants,
behind the checks GetResponse's documentation leaves to RFC 6749 (parameters in the body once,
one client authentication)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749.util import extract_basic_authorization
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._http import (
    BadRequest,
    Refused,
    domain_refusal,
    html_not_found,
    json_response,
    read_form,
    repeated_parameter,
)
from implicitflow_testing.mock._oauth_server import (
    MockAuthorizationServer,
    ParsedRequest,
    oauth_response,
    token_error_body,
)
from implicitflow_testing.mock._state import MockState

PATH = "/v3/token"
#: Parameters of a token request (RFC 6749 4.1.3, 4.3.2, 4.4.2, 6; RFC 7636 4.5).
TOKEN_PARAMETERS = {"grant_type", "code", "redirect_uri", "client_id", "client_secret",
                    "refresh_token", "scope", "username", "password", "code_verifier"}


def token_request_problem(request: Request, form: list[tuple[str, str]]) -> str | None:
    """What makes a token request malformed before any grant looks at it, or None."""
    query = request.scope["query_string"]
    in_query = TOKEN_PARAMETERS & {name for name, _ in parse_qsl(query.decode("latin-1"))} \
        if query else None
    if in_query:
        return (f"{sorted(in_query)[0]} must be sent in the form body, not the query string "
                "(RFC 6749 4.1.3, 4.4.2, 6)")
    body = dict(form)
    if len(body) != len(form):
        return f"The parameter {repeated_parameter(form)} is repeated (RFC 6749 3.2)"
    if "client_id" in body or "client_secret" in body:
        basic_client_id, _ = extract_basic_authorization(request.headers)
        if basic_client_id is not None and ("client_secret" in body
                                            or body["client_id"] != basic_client_id):
            return ("The client authenticates with HTTP Basic and also in the body: one client, "
                    "one authentication method (RFC 6749 2.3)")
    return None



def token_app(state: MockState, oauth: MockAuthorizationServer, limits: Limits) -> Starlette:
    """The token endpoint; a refused request gets GetResponse's error body with RFC 6749 5.2's
    `error` and `error_description`."""

    async def token(request: Request) -> Response:
        refusal = domain_refusal(request, state.max_domains)
        if refusal:
            return refusal
        form = await read_form(request, limits)
        problem = token_request_problem(request, form)
        if problem:
            raise BadRequest(problem)
        # RFC 6749 3.2: the parameters of a token request are the form body's, never the query's.
        oauth_request = ParsedRequest("POST", str(request.url), request.headers, [], form)
        try:
            status, body, headers = oauth.create_token_response(oauth_request)
        except ValueError:  # an error description that would echo control characters
            raise BadRequest("The request has characters that are not allowed") from None
        return oauth_response(status, body, headers)

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return json_response(token_error_body(error.status, "invalid_request", error.message),
                             error.status)

    app = Starlette(routes=[Route(PATH, token, methods=["POST"])],
                    exception_handlers={Refused: refused})
    app.router.not_found = html_not_found
    return app
