"""Reading a request and writing an answer, in one place for every part of the mock: the body,
read while it streams and refused past its cap; the form, the JSON, the query; the refusals a
part raises (each part's error handler answers them in its own format); JSON answers and
GetResponse's error answer.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from implicitflow_testing.mock import _getresponse_api as getresponse_api
from implicitflow_testing.mock._connection_limits import Limits, drain_limit, read_limited

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


class Refused(Exception):
    """A request the mock refuses with a 4xx and a clear message; each part of the mock (the
    authorization page, the token endpoint, the API, the controls) answers it in its format."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(Refused):
    """400: the request is malformed."""


class BodyTooLarge(Refused):
    """413: the body is larger than `Limits.max_body_bytes`."""

    status = 413


class NotFound(Refused):
    """404: an API path or resource that does not exist (GetResponse's 1013)."""

    status = 404

    def __init__(self, path: str) -> None:
        super().__init__(f"No such resource: {path}")


def json_response(body: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def getresponse_error(status: int, code: int, message: str | None = None,
                      context: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return json_response(getresponse_api.error_body(status, code, message, context), status,
                         headers)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


async def read_body(request: Request, limits: Limits) -> bytes:
    """The whole body, read while it streams in: refused as soon as it passes the limit."""
    too_large = BodyTooLarge(f"The body is larger than {limits.max_body_bytes} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > drain_limit(limits.max_body_bytes):
        raise too_large
    try:
        body = await read_limited(request.receive, limits.max_body_bytes)
    except ConnectionError:
        raise BadRequest("The body did not arrive whole") from None  # nobody left to read it
    if body is None:
        raise too_large
    return body


async def read_form(request: Request, limits: Limits) -> list[tuple[str, str]]:
    """The body as form pairs. Anything but a UTF-8 form body of sane size is refused."""
    body = await read_body(request, limits)
    if not body:
        return []
    content_type = media_type(request.headers.get("content-type"))
    if content_type != FORM_TYPE:
        raise BadRequest(f"The body must be {FORM_TYPE}, got {content_type or 'no type'!r}")
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                         strict_parsing=False, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"The form body cannot be read: {error}") from None


def query_pairs(request: Request) -> list[tuple[str, str]]:
    try:
        return parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=100,
                         errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"The query string cannot be read: {error}") from None


async def read_json(request: Request, limits: Limits) -> dict[str, Any]:
    """The body as a JSON object ({} for none)."""
    body = await read_body(request, limits)
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise BadRequest("The body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object")
    return data


def repeated_parameter(pairs: list[tuple[str, str]]) -> str | None:
    """RFC 6749 3.1 and 3.2: request parameters MUST NOT be included more than once."""
    repeated = [name for name, count in Counter(name for name, _ in pairs).items() if count > 1]
    return repeated[0] if repeated else None


def domain_refusal(request: Request, max_domains: tuple[str, ...]) -> JSONResponse | None:
    """GetResponse MAX: every token request and API call names a known custom domain."""
    if not max_domains:
        return None
    domain = request.headers.get("x-domain")
    if domain in max_domains:
        return None
    message = ("The X-Domain header is missing" if domain is None
               else "The X-Domain header names no known MAX domain")
    return getresponse_error(400, 1021, message, {"header": "X-Domain"})


async def html_not_found(scope: Any, receive: Any, send: Any) -> None:
    """What a path the mock does not serve gets."""
    from starlette.responses import HTMLResponse

    await HTMLResponse("<h1>Not found</h1>", status_code=404)(scope, receive, send)


def invalid_request(status: int, message: str) -> JSONResponse:
    """The refusal of the authorization page's form and of the controls: RFC 6749's fields."""
    return json_response({"error": "invalid_request", "error_description": message}, status)
