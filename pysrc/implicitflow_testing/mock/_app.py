"""The mock GetResponse server as an ASGI app: consent page, token endpoint, API, /_mock/ controls."""

import asyncio
import html
import json
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2 import OAuth2Error
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from implicitflow_testing.mock import _getresponse_api as getresponse_api
from implicitflow_testing.mock._oauth_server import MockAuthorizationServer, ParsedRequest
from implicitflow_testing.mock._request_log import start_entry
from implicitflow_testing.mock._state import Client, MockState, User

MAX_BODY_BYTES = 65536
FORM_TYPE = "application/x-www-form-urlencoded"
#: Paths a browser asks for by itself (Chromium fetches the favicon after a page loads, and its
#: DevTools probe a well-known file): answered 404 and left out of the request log, so a test's
#: list of requests holds only what its app asked for.
BROWSER_NOISE = frozenset({"/favicon.ico", "/.well-known/appspecific/com.chrome.devtools.json"})


class BadRequest(Exception):
    """A request the mock refuses with 400 and a clear JSON body."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def json_response(body, status=200, headers=None):
    return JSONResponse(body, status_code=status, headers=headers)


def getresponse_error(status, code, message=None, context=None, headers=None):
    return json_response(getresponse_api.error_body(status, code, message, context), status,
                         headers)


async def read_form(request):
    """The body as form pairs. Anything but a UTF-8 form body of sane size is refused."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"The body is larger than {MAX_BODY_BYTES} bytes", status=413)
    if not body:
        return []
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise BadRequest(f"The body must be {FORM_TYPE}, got {content_type or 'no type'!r}")
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                         strict_parsing=False, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"The form body cannot be read: {error}") from None


def query_pairs(request):
    try:
        return parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=100,
                         errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"The query string cannot be read: {error}") from None


async def read_json(request):
    body = await request.body()
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise BadRequest("The body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object")
    return data


def oauth_response(status, body, headers):
    """Authlib's (status, body, headers) as a Starlette response."""
    headers = dict(headers)
    if status in (301, 302, 303, 307):
        return RedirectResponse(headers["Location"], status_code=302)
    headers.pop("Content-Type", None)
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Pragma", "no-cache")
    return json_response(body, status, headers)


def error_page(error_name, description, status=400):
    """RFC 6749 4.1.2.1 / 4.2.2.1: an unknown client or a bad redirect_uri gets a page, no redirect."""
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorization error</title></head><body>
<h1>Authorization error</h1>
<p id="error">{html.escape(error_name)}</p>
<p id="error-description">{html.escape(description or "")}</p>
</body></html>"""
    return HTMLResponse(body, status_code=status)


def consent_page(client, pairs):
    """The consent screen: names the client, posts the request back with Allow or Deny."""
    hidden = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in pairs
    )
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Authorize {html.escape(client.name)} - GetResponse (mock)</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; }}
main {{ max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem;
        border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
h1 {{ font-size: 1.3rem; }} .buttons {{ display: flex; gap: 1rem; margin-top: 1.5rem; }}
button {{ flex: 1; padding: .8rem; font-size: 1rem; border-radius: 8px; border: 1px solid #ccc;
          cursor: pointer; }}
button[value=allow] {{ background: #00baff; color: #fff; border-color: #00baff; }}
</style></head><body><main>
<p>GetResponse (local mock)</p>
<h1><span id="client-name">{html.escape(client.name)}</span> wants to access your account</h1>
<p>It will be able to read and change the data of account <b>VfEy1</b>.</p>
<form method="post" action="/oauth2_authorize.html">
{hidden}
<div class="buttons">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div></form></main></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def replace_state(location, state):
    """The redirect with another state in its fragment or query (the "wrong_state" switch)."""
    parts = urlsplit(location)
    in_fragment = bool(parts.fragment)
    pairs = parse_qsl(parts.fragment if in_fragment else parts.query, keep_blank_values=True)
    encoded = urlencode([(k, state if k == "state" else v) for k, v in pairs])
    parts = parts._replace(fragment=encoded) if in_fragment else parts._replace(query=encoded)
    return urlunsplit(parts)


class MockApp:
    """Routes and handlers; `MockServer` wraps this with the Python control API."""

    def __init__(self, state: MockState, allow_origins=()):
        self.state = state
        self.oauth = MockAuthorizationServer(state)
        routes = [
            Route("/oauth2_authorize.html", self.authorize, methods=["GET", "POST"]),
            Route("/v3/token", self.token, methods=["POST"]),
            Route("/v3/accounts", self.accounts, methods=["GET"]),
            Route("/v3/from-fields", self.from_fields, methods=["GET"]),
            Route("/v3/{rest:path}", self.api_not_found, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/_mock/reset", self.control_reset, methods=["POST"]),
            Route("/_mock/clients", self.control_clients, methods=["POST"]),
            Route("/_mock/consent", self.control_consent, methods=["POST"]),
            Route("/_mock/tokens/expire", self.control_expire, methods=["POST"]),
            Route("/_mock/token-lifetime", self.control_token_lifetime, methods=["POST"]),
            Route("/_mock/api-error", self.control_api_error, methods=["POST"]),
            Route("/_mock/latency", self.control_latency, methods=["POST"]),
            Route("/_mock/refresh-rotation", self.control_rotation, methods=["POST"]),
            Route("/_mock/clock", self.control_clock, methods=["POST"]),
            Route("/_mock/requests", self.control_requests, methods=["GET"]),
        ]
        middleware = []
        if allow_origins:
            # Off by default: the real API sends no CORS headers, so a mock that did would let
            # a browser app pass tests and then fail against GetResponse.
            middleware.append(Middleware(CORSMiddleware, allow_origins=list(allow_origins),
                                         allow_methods=["*"], allow_headers=["*"],
                                         expose_headers=["X-RateLimit-Limit",
                                                         "X-RateLimit-Remaining",
                                                         "X-RateLimit-Reset"]))
        self.asgi = Starlette(routes=routes, middleware=middleware,
                              exception_handlers={BadRequest: self.bad_request})
        self.asgi.router.not_found = self.not_found

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in BROWSER_NOISE:
            return await self.asgi(scope, receive, send)
        entry = start_entry(scope)
        with self.state.lock:
            self.state.requests.append(entry)
            self.state.request_total += 1

        async def send_logged(message):
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        latency = self.state.switches.latency_ms
        if latency and not scope["path"].startswith("/_mock/"):
            await asyncio.sleep(latency / 1000)
        await self.asgi(scope, receive, send_logged)

    async def bad_request(self, request, error):
        if request.url.path.startswith("/v3/") and request.url.path != "/v3/token":
            return getresponse_error(error.status, 1000, error.message)
        return json_response({"error": "invalid_request", "error_description": error.message},
                             error.status)

    async def not_found(self, scope, receive, send):
        await HTMLResponse("<h1>Not found</h1>", status_code=404)(scope, receive, send)

    # -- authorization endpoint -------------------------------------------------------

    async def authorize(self, request: Request):
        pairs = query_pairs(request)
        form = await read_form(request) if request.method == "POST" else []
        decision = dict(form).pop("decision", None)
        pairs += [(k, v) for k, v in form if k != "decision"]
        oauth_request = ParsedRequest(request.method, str(request.url), request.headers, pairs, [])
        with self.state.lock:
            try:
                grant = self.oauth.get_consent_grant(oauth_request)
            except OAuth2Error as error:
                if getattr(error, "redirect_uri", None):
                    return oauth_response(*self.oauth.handle_error_response(oauth_request, error))
                return error_page(error.error, error.description)
            except ValueError:
                # Authlib refuses to build an error whose description would echo control
                # characters from the request (RFC 6749 5.2 limits the character set).
                return error_page("invalid_request", "The request has characters that are not allowed")
            if decision is None:
                decision = self.state.take_next_consent()
                if decision is None and self.state.switches.auto_approve:
                    decision = "allow"
            if decision is None:
                return consent_page(grant.client, pairs)
            if decision not in ("allow", "deny", "wrong_state"):
                raise BadRequest("decision must be 'allow' or 'deny'")
            user = None if decision == "deny" else User()
            response = oauth_response(
                *self.oauth.create_authorization_response(oauth_request, user, grant))
        if decision == "wrong_state" and response.status_code == 302:
            location = replace_state(response.headers["location"], secrets.token_hex(32))
            return RedirectResponse(location, status_code=302)
        return response

    # -- token endpoint ----------------------------------------------------------------

    async def token(self, request: Request):
        domain_error = self.check_domain(request)
        if domain_error:
            return domain_error
        oauth_request = ParsedRequest("POST", str(request.url), request.headers,
                                      query_pairs(request), await read_form(request))
        with self.state.lock:
            try:
                status, body, headers = self.oauth.create_token_response(oauth_request)
            except ValueError:  # an error description that would echo control characters
                raise BadRequest("The request has characters that are not allowed") from None
        return oauth_response(status, body, headers)

    def check_domain(self, request):
        """GetResponse MAX: every token request and API call names a known custom domain."""
        if not self.state.max_domains:
            return None
        domain = request.headers.get("x-domain")
        if domain in self.state.max_domains:
            return None
        message = ("The X-Domain header is missing" if domain is None
                   else "The X-Domain header names no known MAX domain")
        return getresponse_error(400, 1021, message, {"header": "X-Domain"})

    # -- the API -----------------------------------------------------------------------

    def authenticate(self, request):
        """(token, None) for a valid bearer token, else (None, the error response)."""
        domain_error = self.check_domain(request)
        if domain_error:
            return None, domain_error
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        sent = sent.strip()
        remaining, reset_in = self.state.take_rate_limit(sent or "anonymous")
        headers = getresponse_api.rate_limit_headers(remaining, reset_in)
        with self.state.lock:
            token = self.state.tokens.get(sent) if scheme.lower() == "bearer" else None
        if token is None or (self.state.max_domains and token.domain
                             and token.domain != request.headers.get("x-domain")):
            return None, getresponse_error(401, 1014, context={"authenticationType": "auth_token"},
                                           headers=headers)
        if token.expires_at <= self.state.clock.now():
            return None, getresponse_error(401, 1014, getresponse_api.EXPIRED_TOKEN_MESSAGE,
                                           {"sentToken": sent}, headers)
        forced = self.state.take_api_error()
        if forced:
            context = ({"currentLimit": getresponse_api.RATE_LIMIT, "timeToReset": "100 seconds"}
                       if forced["code"] == 1015 else {})
            if forced["code"] == 1014:
                context = {"sentToken": sent}
            return None, getresponse_error(forced["status"], forced["code"], forced.get("message"),
                                           context, headers)
        if remaining < 0:
            return None, getresponse_error(
                429, 1015, context={"currentLimit": getresponse_api.RATE_LIMIT,
                                    "timeToReset": f"{int(reset_in)} seconds"}, headers=headers)
        return token, headers

    async def accounts(self, request: Request):
        token, headers_or_error = self.authenticate(request)
        if token is None:
            return headers_or_error
        return json_response(getresponse_api.account(str(request.base_url).rstrip("/")),
                             headers=headers_or_error)

    async def from_fields(self, request: Request):
        token, headers_or_error = self.authenticate(request)
        if token is None:
            return headers_or_error
        params = dict(query_pairs(request))
        try:
            page = int(params.get("page", "1"))
            per_page = int(params.get("perPage", "100"))
        except ValueError:
            raise BadRequest("page and perPage must be whole numbers") from None
        if page < 1 or not 1 <= per_page <= 1000:
            raise BadRequest("page must be >= 1 and perPage between 1 and 1000")
        fields = getresponse_api.from_fields(str(request.base_url).rstrip("/"))
        total_pages = max(1, -(-len(fields) // per_page))
        headers = dict(headers_or_error, TotalCount=str(len(fields)),
                       TotalPages=str(total_pages), CurrentPage=str(page))
        return json_response(fields[(page - 1) * per_page: page * per_page], headers=headers)

    async def api_not_found(self, request: Request):
        return getresponse_error(404, 1013, f"No such resource: {request.url.path}")

    # -- /_mock/ controls ----------------------------------------------------------------

    async def control_reset(self, request):
        self.state.reset()
        return json_response({"reset": True})

    async def control_clients(self, request):
        data = await read_json(request)
        try:
            client = Client(str(data["client_id"]), str(data["client_secret"]),
                            str(data.get("name") or data["client_id"]),
                            [str(uri) for uri in data["redirect_uris"]])
        except (KeyError, TypeError):
            raise BadRequest("needs client_id, client_secret and redirect_uris (a list)") from None
        self.state.add_client(client)
        return json_response({"client_id": client.client_id}, 201)

    async def control_consent(self, request):
        data = await read_json(request)
        with self.state.lock:
            if "next" in data:
                if data["next"] not in ("allow", "deny", "wrong_state", None):
                    raise BadRequest("next must be 'allow', 'deny', 'wrong_state' or null")
                self.state.switches.next_consent = data["next"]
            if "auto_approve" in data:
                if not isinstance(data["auto_approve"], bool):
                    raise BadRequest("auto_approve must be true or false")
                self.state.switches.auto_approve = data["auto_approve"]
            return json_response({"next": self.state.switches.next_consent,
                                  "auto_approve": self.state.switches.auto_approve})

    async def control_expire(self, request):
        data = await read_json(request)
        token = data.get("access_token")
        if token is not None and not isinstance(token, str):
            raise BadRequest("access_token must be a string")
        return json_response({"expired": self.state.expire_tokens(token)})

    async def control_token_lifetime(self, request):
        seconds = (await read_json(request)).get("seconds")
        if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool)
                                    or seconds < 1):
            raise BadRequest("seconds must be a positive whole number, or null for the defaults")
        self.state.switches.token_lifetime = seconds
        return json_response({"seconds": seconds})

    async def control_api_error(self, request):
        data = await read_json(request)
        status, code, count = data.get("status"), data.get("code"), data.get("count", 1)
        if not (isinstance(status, int) and 400 <= status <= 599 and isinstance(code, int)
                and isinstance(count, int) and count >= 1):
            raise BadRequest("needs status (400-599), code (a GetResponse error code) and count >= 1")
        message = data.get("message")
        self.state.arm_api_error(status, code, count, message if isinstance(message, str) else None)
        return json_response({"status": status, "code": code, "count": count})

    async def control_latency(self, request):
        ms = (await read_json(request)).get("ms")
        if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= 60000:
            raise BadRequest("ms must be a whole number from 0 to 60000")
        self.state.switches.latency_ms = ms
        return json_response({"ms": ms})

    async def control_rotation(self, request):
        enabled = (await read_json(request)).get("enabled")
        if not isinstance(enabled, bool):
            raise BadRequest("enabled must be true or false")
        self.state.switches.rotate_refresh_tokens = enabled
        return json_response({"enabled": enabled})

    async def control_clock(self, request):
        seconds = (await read_json(request)).get("advance")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise BadRequest("advance must be a number of seconds >= 0")
        self.state.clock.advance(seconds)
        return json_response({"offset": self.state.clock.offset})

    async def control_requests(self, request):
        with self.state.lock:
            return json_response({"requests": list(self.state.requests)})
