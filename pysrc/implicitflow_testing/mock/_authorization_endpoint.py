"""`/oauth2_authorize.html`: the consent page, and the redirect back to the app (Authlib's
implicit and authorization-code grants) once the person, or a switch, decides."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2 import OAuth2Error
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._http import (
    BadRequest,
    Refused,
    html_not_found,
    invalid_request,
    query_pairs,
    read_form,
    repeated_parameter,
)
from implicitflow_testing.mock._models import ACCOUNT
from implicitflow_testing.mock._oauth_server import (
    MockAuthorizationServer,
    ParsedRequest,
    oauth_response,
)
from implicitflow_testing.mock._pages import consent_page, error_page
from implicitflow_testing.mock._state import MockState

PATH = "/oauth2_authorize.html"


def replace_state(location: str, state: str) -> str:
    """The redirect with another state in its fragment or query (the "wrong_state" switch)."""
    parts = urlsplit(location)
    in_fragment = bool(parts.fragment)
    pairs = parse_qsl(parts.fragment if in_fragment else parts.query, keep_blank_values=True)
    encoded = urlencode([(k, state if k == "state" else v) for k, v in pairs])
    parts = parts._replace(fragment=encoded) if in_fragment else parts._replace(query=encoded)
    return urlunsplit(parts)


def authorization_app(state: MockState, oauth: MockAuthorizationServer, limits: Limits) -> Starlette:
    """The authorization endpoint; a refused request gets RFC 6749's JSON error fields."""

    async def authorize(request: Request) -> Response:
        pairs = query_pairs(request)
        form = await read_form(request, limits) if request.method == "POST" else []
        decision = dict(form).pop("decision", None)
        pairs += [(k, v) for k, v in form if k != "decision"]
        repeated = repeated_parameter(pairs)
        if repeated:
            # RFC 6749 3.1; with a parameter given twice, not even redirect_uri can be trusted.
            return error_page("invalid_request", f"The parameter {repeated} is repeated")
        oauth_request = ParsedRequest(request.method, str(request.url), request.headers, pairs, [])
        try:
            grant = oauth.get_consent_grant(oauth_request)
        except OAuth2Error as error:
            if getattr(error, "redirect_uri", None):
                return oauth_response(*oauth.handle_error_response(oauth_request, error))
            return error_page(error.error, error.description)
        except ValueError:
            # Authlib refuses to build an error whose description would echo control
            # characters from the request (RFC 6749 5.2 limits the character set).
            return error_page("invalid_request", "The request has characters that are not allowed")
        if decision is None:
            decision = state.take_consent()
        if decision is None:
            return consent_page(grant.client, pairs, ACCOUNT)
        if decision not in ("allow", "deny", "wrong_state"):
            raise BadRequest("decision must be 'allow' or 'deny'")
        user = None if decision == "deny" else ACCOUNT
        response = oauth_response(*oauth.create_authorization_response(oauth_request, user, grant))
        if decision == "wrong_state" and response.status_code == 302:
            location = replace_state(response.headers["location"], secrets.token_hex(32))
            return RedirectResponse(location, status_code=302)
        return response

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return invalid_request(error.status, error.message)

    app = Starlette(routes=[Route(PATH, authorize, methods=["GET", "POST"])],
                    exception_handlers={Refused: refused})
    app.router.not_found = html_not_found
    return app
