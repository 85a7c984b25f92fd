"""The OAuth2 protocol of the mock, done by Authlib's RFC 6749 grants.

Authlib has no Starlette server integration, so this module supplies the two
framework hooks it asks for (`create_oauth2_request`, `handle_response`) on top
of a request whose query and form the web layer has already read, and turns Authlib's answers
into Starlette's (`oauth_response`).
"""

import logging
import secrets
from collections import defaultdict

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from starlette.responses import JSONResponse, RedirectResponse

from implicitflow_testing.mock import _getresponse_api as getresponse_api
from implicitflow_testing.mock._http import json_response
from implicitflow_testing.mock._models import ACCOUNT, AuthorizationCode, IssuedToken
from implicitflow_testing.mock._state import CODE_LIFETIME, MockState

# Authlib's grants log issued token dictionaries at DEBUG ("Grant token %r to %r"):
# tokens must never reach a log, whatever level the application configures.
logging.getLogger("authlib").setLevel(logging.INFO)


def new_secret():
    """40 hex characters, the shape of GetResponse's tokens and codes."""
    return secrets.token_hex(20)


class ParsedPayload(OAuth2Payload):
    """The request's parameters: query and form together, every value of each kept."""

    def __init__(self, pairs):
        self._datalist = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return self._datalist


class ParsedRequest(OAuth2Request):
    def __init__(self, method, url, headers, query_pairs, form_pairs):
        # Authlib refuses plain-http URIs except on loopback names (RFC 6749 10.9). The mock is
        # a local stand-in that tests may reach under any Host header, so it vouches for https.
        super().__init__(method=method, uri="https://" + url.split("://", 1)[-1], headers=headers)
        self.payload = ParsedPayload(query_pairs + form_pairs)
        self._args = dict(query_pairs)
        self._form = dict(form_pairs)

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class ImplicitGrant(grants.ImplicitGrant):
    pass


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code, request):
        state = self.server.state
        state.save_code(AuthorizationCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri or request.client.get_default_redirect_uri(),
            request_redirect_uri=bool(request.payload.redirect_uri),
            scope=request.payload.scope or "",
            expires_at=state.clock.now() + CODE_LIFETIME,
            user=request.user,
            code_challenge=request.payload.data.get("code_challenge"),
            code_challenge_method=request.payload.data.get("code_challenge_method"),
        ))

    def query_authorization_code(self, code, client):
        return self.server.state.find_code(code, client.client_id)

    def delete_authorization_code(self, authorization_code):
        self.server.state.take_code(authorization_code.code)

    def authenticate_user(self, authorization_code):
        return authorization_code.user

    def generate_authorization_code(self):
        return new_secret()


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    pass


class RefreshTokenGrant(grants.RefreshTokenGrant):
    def authenticate_refresh_token(self, refresh_token):
        return self.server.state.refresh_token(refresh_token)

    def authenticate_user(self, refresh_token):
        return refresh_token.user or ACCOUNT

    def issue_token(self, user, refresh_token):
        rotate = self.server.state.rotate_refresh_tokens
        token = self.generate_token(user=user, scope=None, include_refresh_token=rotate)
        if not rotate:
            # GetResponse's documented refresh answer repeats the same refresh_token.
            token["refresh_token"] = refresh_token.refresh_token
        return token

    def revoke_old_credential(self, refresh_token):
        if self.server.state.rotate_refresh_tokens:
            self.server.state.revoke_refresh_token(refresh_token)


class MockAuthorizationServer(AuthorizationServer):
    """Authlib's server, bound to a `MockState` and to pre-parsed requests."""

    def __init__(self, state: MockState):
        super().__init__(scopes_supported=["all"])
        self.state = state
        self.register_token_generator("default", self._generate_token)
        self.register_grant(ImplicitGrant)
        # GetResponse's documentation does not mention PKCE. A client that sends a
        # code_challenge gets it verified (RFC 7636 4.6); a code_verifier without one is refused
        # (RFC 9700 4.8); a client that sends neither is served as GetResponse documents.
        self.register_grant(AuthorizationCodeGrant, [CodeChallenge(required=False)])
        self.register_grant(ClientCredentialsGrant)
        self.register_grant(RefreshTokenGrant)

    def query_client(self, client_id):
        return self.state.client(client_id)

    def _generate_token(self, grant_type, client, user=None, scope=None, expires_in=None,
                        include_refresh_token=True):
        lifetime = self.state.lifetime(grant_type)
        if grant_type == "implicit":
            # GetResponse's fragment: lowercase "bearer", no scope.
            return {"access_token": new_secret(), "token_type": "bearer", "expires_in": lifetime}
        token = {"access_token": new_secret(), "expires_in": lifetime, "token_type": "Bearer",
                 "scope": None}
        if include_refresh_token and grant_type in ("authorization_code", "refresh_token"):
            token["refresh_token"] = new_secret()
        return token

    def save_token(self, token, request):
        now = self.state.clock.now()
        self.state.save_token(IssuedToken(
            access_token=token["access_token"],
            client_id=request.client.client_id,
            grant_type=request.payload.grant_type or "implicit",
            expires_at=now + token["expires_in"],
            issued_at=now,
            refresh_token=token.get("refresh_token"),
            domain=request.headers.get("x-domain"),
            user=request.user,
        ))

    def send_signal(self, name, *args, **kwargs):
        pass

    def create_oauth2_request(self, request):
        return request  # already a ParsedRequest

    def handle_response(self, status, body, headers):
        return status, body, headers


def oauth_response(status: int, body: dict, headers: list | dict) -> JSONResponse | RedirectResponse:
    """Authlib's (status, body, headers) as a Starlette response."""
    headers = dict(headers)
    if status in (301, 302, 303, 307):
        return RedirectResponse(headers["Location"], status_code=302)
    headers.pop("Content-Type", None)
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Pragma", "no-cache")
    if status >= 400:
        body = token_error_body(status, body.get("error", "invalid_request"),
                                body.get("error_description"))
    return json_response(body, status, headers)


def token_error_body(status: int, error: str, description: str | None = None) -> dict:
    """A token endpoint error. GetResponse's own OAuth2 provider (GetResponse/oauth2-getresponse,
    Getresponse::checkResponse) recognises an error from /v3/token only by the `httpStatus`,
    `code` and `message` of GetResponse's error body, so the mock sends that body; what else the
    real endpoint sends is not documented, so it also carries RFC 6749 5.2's `error` and
    `error_description`, which OAuth libraries (oauthlib, Authlib) read."""
    code = 1014 if error == "invalid_client" else 1000
    body = getresponse_api.error_body(status, code, description or error)
    body.update(error=error, error_description=description or error)
    return body
