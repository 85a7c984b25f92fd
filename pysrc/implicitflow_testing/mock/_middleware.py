"""What every request to the mock goes through before a part of it answers: the request log,
the refusal of requests from where the mock takes none (see `_access_policy`), and the latency
switch."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from implicitflow_testing.mock._access_policy import AccessPolicy
from implicitflow_testing.mock._http import JSON_TYPE, json_response, media_type
from implicitflow_testing.mock._request_log import start_entry
from implicitflow_testing.mock._state import MockState

#: Paths a browser asks for by itself (Chromium fetches the favicon after a page loads, and its
#: DevTools probe a well-known file): answered 404 and left out of the request log, so a test's
#: list of requests holds only what its app asked for.
BROWSER_NOISE = frozenset({"/favicon.ico", "/.well-known/appspecific/com.chrome.devtools.json"})


class RequestLog:
    """Adds each request to the state's redacted log, its status once the answer starts."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in BROWSER_NOISE:
            return await self.app(scope, receive, send)
        entry = start_entry(scope)
        self.state.log(entry)
        listener = self.state.log_listener

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if listener:
                    listener(entry)
            await send(message)

        await self.app(scope, receive, send_logged)


class AccessRefusal:
    """Answers, itself, a request from where the mock takes no requests."""

    def __init__(self, app: ASGIApp, access: AccessPolicy) -> None:
        self.app, self.access = app, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self.refusal(scope) if scope["type"] == "http" else None
        await (refusal or self.app)(scope, receive, send)

    def refusal(self, scope: Scope) -> Any:
        """The answer to a request from where the mock takes no requests, or None."""
        host = origin = content_type = None
        for name, value in scope["headers"]:
            if name == b"host":
                if host is not None:  # RFC 9112 3.2: answered 400, whichever one is good
                    return json_response({"error": "invalid_request", "error_description":
                                          "The request has more than one Host header"}, 400)
                host = value.decode("latin-1")
            elif name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        if not self.access.host_allowed(host):
            return json_response({"error": "invalid_request", "error_description": (
                "The Host header names no host this mock serves: it answers to loopback names "
                "(localhost, 127.0.0.1, [::1]) and to names given with --allow-host "
                "(allowed_hosts=[...])")}, 400)
        path, method = scope["path"], scope["method"]
        control = path.startswith("/_mock/")
        if (control or (path == "/oauth2_authorize.html" and method == "POST")) \
                and not self.access.origin_allowed(origin):
            return json_response({"error": "access_denied", "error_description": (
                "Requests from this Origin may not act on the mock: only loopback origins and "
                "those given with --allow-origin (allow_origins=[...]) may")}, 403)
        if control and method == "POST" and media_type(content_type) != JSON_TYPE:
            return json_response({"error": "invalid_request", "error_description":
                                  "Controls take a JSON body (Content-Type: application/json)"}, 415)
        return None


class Latency:
    """Holds each answer the `latency_ms` switch's time; API calls wait inside the API instead,
    where they count as simultaneous calls, and the controls never wait."""

    def __init__(self, app: ASGIApp, state: MockState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            latency = self.state.latency_ms
            path = scope["path"]
            if latency and path not in BROWSER_NOISE and not path.startswith("/_mock/") and not (
                    path.startswith("/v3/") and path != "/v3/token"):
                await asyncio.sleep(latency / 1000)
        await self.app(scope, receive, send)
