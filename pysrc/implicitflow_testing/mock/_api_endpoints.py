"""The API under /v3 (but the token endpoint): authentication by API key or bearer token, the
MAX domain, GetResponse's rate limits and failure switches, then the resources themselves."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from implicitflow_testing.mock import _getresponse_api as getresponse_api
from implicitflow_testing.mock._http import (
    BadRequest,
    NotFound,
    Refused,
    domain_refusal,
    getresponse_error,
    html_not_found,
    json_response,
    query_pairs,
)
from implicitflow_testing.mock._models import ACCOUNT
from implicitflow_testing.mock._rate_limits import Principal
from implicitflow_testing.mock._state import MockState

#: A resource's (body, extra headers), or a Refused.
Build = Callable[[], tuple[Any, dict[str, str]]]


def unknown_credentials() -> JSONResponse:
    """401 / 1014 for a key or token the mock does not know (the OpenAPI operation examples)."""
    return getresponse_error(401, 1014, context={"authenticationType": "auth_token"})


def quota_error(headers: dict[str, str], reset_in: float, message: str | None = None,
                status: int = 429, limit: int | None = None) -> JSONResponse:
    """429 / 1015 that names one wait everywhere: the body's timeToReset, Retry-After and
    X-RateLimit-Reset ("wait for the time specified in timeToReset field or X-RateLimit-Reset
    header", apidocs .../v3/limits), with X-RateLimit-Remaining 0 until then. `limit`: the
    per-second or simultaneous limit that was passed, if not the window's; its wait is a
    second, and a client that trusts X-RateLimit-Reset must not wait out the window."""
    wait = getresponse_api.reset_seconds(reset_in)
    headers = dict(headers, **{"Retry-After": str(wait), "X-RateLimit-Remaining": "0",
                               "X-RateLimit-Reset": f"{wait} seconds"})
    context = {"currentLimit": limit or getresponse_api.RATE_LIMIT,
               "timeToReset": f"{wait} seconds"}
    return getresponse_error(status, 1015, message, context, headers)


class Api:
    """The API's endpoints on one `MockState`."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    def authenticate(self, request: Request) -> tuple[Principal | None, Response | None]:
        """(the account, None) for a valid API key or bearer token, else (None, the error).

        API key: `X-Auth-Token: api-key <key>`; OAuth 2.0: `Authorization: Bearer <token>`
        (apidocs.getresponse.com/v3/authentication).
        """
        account = self.state.principal(ACCOUNT.account_id, request.headers.get("x-domain"))
        api_key = request.headers.get("x-auth-token")
        if api_key is not None:
            key = api_key[len(getresponse_api.API_KEY_PREFIX):]
            if api_key.startswith(getresponse_api.API_KEY_PREFIX) and secrets.compare_digest(
                    key.encode("utf-8"), self.state.api_key.encode("utf-8")):
                return account, None
            return None, unknown_credentials()
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        sent = sent.strip()
        token = self.state.token(sent) if scheme.lower() == "bearer" else None
        if token is None or (self.state.max_domains and token.domain
                             and token.domain != request.headers.get("x-domain")):
            return None, unknown_credentials()
        if token.expires_at <= self.state.clock.now():
            # The Refresh Token flow's example in the OpenAPI introduction echoes the token.
            return None, getresponse_error(401, 1014, getresponse_api.EXPIRED_TOKEN_MESSAGE,
                                           {"sentToken": sent})
        return account, None

    async def call(self, request: Request, build: Build) -> Response:
        """One API call: MAX domain, authentication, rate limits and failure switches, then
        `build()` -> (body, extra headers). Every answer carries the X-RateLimit headers
        ("Every API response includes a few additional headers", apidocs .../v3/limits)."""
        refusal = domain_refusal(request, self.state.max_domains)
        account = None
        if refusal is None:
            account, refusal = self.authenticate(request)
        if refusal is not None or account is None:
            assert refusal is not None
            # No account, so no window to count against: the headers describe a fresh one.
            refusal.headers.update(getresponse_api.rate_limit_headers(
                getresponse_api.RATE_LIMIT, getresponse_api.RATE_WINDOW_SECONDS))
            return refusal
        remaining, reset_in = self.state.take_rate_limit(account)
        headers = getresponse_api.rate_limit_headers(remaining, reset_in)
        passed = self.state.begin_call(account)
        if passed:
            limit = {"per second": getresponse_api.CALLS_PER_SECOND,
                     "simultaneous": getresponse_api.SIMULTANEOUS_CALLS}[passed]
            return quota_error(headers, 1, f"More calls than allowed {passed}: "
                               "please wait a second (apidocs.getresponse.com/v3/limits)",
                               limit=limit)
        try:
            latency = self.state.latency_ms
            if latency:
                await asyncio.sleep(latency / 1000)
            forced = self.state.take_api_error()
            if forced and forced["code"] == 1015:
                return quota_error(headers, getresponse_api.FORCED_QUOTA_RESET_SECONDS,
                                   forced.get("message"), forced["status"])
            if forced:
                context = {"sentToken": request.headers.get("authorization", "").partition(" ")[2]
                           } if forced["code"] == 1014 else None
                return getresponse_error(forced["status"], forced["code"], forced.get("message"),
                                         context, headers)
            if remaining < 0:
                return quota_error(headers, reset_in)
            try:
                body, extra = build()
            except Refused as error:
                code = 1013 if isinstance(error, NotFound) else 1000
                return getresponse_error(error.status, code, error.message, headers=headers)
            return json_response(body, headers=dict(headers, **extra))
        finally:
            self.state.end_call(account)

    @staticmethod
    def base_url(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    def with_text(self, kind: str, resource: dict[str, Any]) -> dict[str, Any]:
        """`resource` (an "account" or a "from_field") with the text the `api_text` switch sets."""
        return dict(resource, **self.state.api_text(kind))

    async def accounts(self, request: Request) -> Response:
        fields = dict(query_pairs(request)).get("fields")
        account = self.with_text("account", getresponse_api.account(self.base_url(request)))
        return await self.call(request, lambda: (
            getresponse_api.select_fields(account, fields, "accountId"), {}))

    async def from_fields(self, request: Request) -> Response:
        params = dict(query_pairs(request))

        def build() -> tuple[Any, dict[str, str]]:
            try:
                page = int(params.get("page", "1"))
                per_page = int(params.get("perPage", "100"))
            except ValueError:
                raise BadRequest("page and perPage must be whole numbers") from None
            if page < 1 or not 1 <= per_page <= 1000:
                raise BadRequest("page must be >= 1 and perPage between 1 and 1000")
            fields = [self.with_text("from_field", field)
                      for field in getresponse_api.from_fields(self.base_url(request))]
            total_pages = max(1, -(-len(fields) // per_page))
            chosen = [getresponse_api.select_fields(field, params.get("fields"), "fromFieldId")
                      for field in fields[(page - 1) * per_page: page * per_page]]
            return chosen, {"TotalCount": str(len(fields)), "TotalPages": str(total_pages),
                            "CurrentPage": str(page)}

        return await self.call(request, build)

    async def from_field(self, request: Request) -> Response:
        """`GET /v3/from-fields/{fromFieldId}`, where each from-field's `href` points."""
        wanted = request.path_params["from_field_id"]
        fields = dict(query_pairs(request)).get("fields")

        def build() -> tuple[Any, dict[str, str]]:
            for field in getresponse_api.from_fields(self.base_url(request)):
                if field["fromFieldId"] == wanted:
                    return getresponse_api.select_fields(self.with_text("from_field", field),
                                                         fields, "fromFieldId"), {}
            raise NotFound(request.url.path)

        return await self.call(request, build)

    async def not_found(self, request: Request) -> Response:
        def build() -> tuple[Any, dict[str, str]]:
            raise NotFound(request.url.path)

        return await self.call(request, build)


def api_app(state: MockState) -> Starlette:
    """The API; a request refused before its call is counted gets GetResponse's 1000 body."""
    api = Api(state)

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return getresponse_error(error.status, 1000, error.message)

    app = Starlette(routes=[
        Route("/v3/accounts", api.accounts, methods=["GET"]),
        Route("/v3/from-fields", api.from_fields, methods=["GET"]),
        Route("/v3/from-fields/{from_field_id}", api.from_field, methods=["GET"]),
        Route("/v3/{rest:path}", api.not_found, methods=["GET", "POST", "PUT", "DELETE"]),
    ], exception_handlers={Refused: refused})
    app.router.not_found = html_not_found
    return app
