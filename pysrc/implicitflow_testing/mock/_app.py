"""The mock GetResponse server as an ASGI app: consent page, token endpoint, API, /_mock/ controls."""

import asyncio
import html
import json
import secrets
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from implicitflow_testing.mock import _getresponse_api as getresponse_api
from implicitflow_testing.mock._access_policy import AccessPolicy
from implicitflow_testing.mock._connection_limits import Limits, drain_limit, read_limited
from implicitflow_testing.mock._controls import CONTROLS, INDEX_PATH, Control
from implicitflow_testing.mock._models import ACCOUNT, Account
from implicitflow_testing.mock._oauth_server import MockAuthorizationServer, ParsedRequest
from implicitflow_testing.mock._request_log import start_entry
from implicitflow_testing.mock._state import ControlRefused, MockState

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
#: Parameters of a token request (RFC 6749 4.1.3, 4.3.2, 4.4.2, 6; RFC 7636 4.5).
TOKEN_PARAMETERS = {"grant_type", "code", "redirect_uri", "client_id", "client_secret",
                    "refresh_token", "scope", "username", "password", "code_verifier"}
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


def media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


async def read_body(request, limits: Limits):
    """The whole body, read while it streams in: refused as soon as it passes the limit."""
    too_large = BadRequest(f"The body is larger than {limits.max_body_bytes} bytes", status=413)
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


async def read_form(request, limits: Limits):
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


def query_pairs(request):
    try:
        return parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=100,
                         errors="strict")
    except (UnicodeDecodeError, ValueError) as error:
        raise BadRequest(f"The query string cannot be read: {error}") from None


async def read_json(request, limits: Limits):
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


def oauth_response(status, body, headers):
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


def token_error_body(status, error, description=None):
    """A token endpoint error. GetResponse's own OAuth2 provider (GetResponse/oauth2-getresponse,
    Getresponse::checkResponse) recognises an error from /v3/token only by the `httpStatus`,
    `code` and `message` of GetResponse's error body, so the mock sends that body; what else the
    real endpoint sends is not documented, so it also carries RFC 6749 5.2's `error` and
    `error_description`, which OAuth libraries (oauthlib, Authlib) read."""
    code = 1014 if error == "invalid_client" else 1000
    body = getresponse_api.error_body(status, code, description or error)
    body.update(error=error, error_description=description or error)
    return body


def repeated_parameter(pairs):
    """RFC 6749 3.1 and 3.2: request parameters MUST NOT be included more than once."""
    repeated = [name for name, count in Counter(name for name, _ in pairs).items() if count > 1]
    return repeated[0] if repeated else None


def token_request_problem(request, form):
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


def error_page(error_name, description, status=400):
    """RFC 6749 4.1.2.1 / 4.2.2.1: an unknown client or a bad redirect_uri gets a page, no redirect."""
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Authorization error</title></head><body>
<h1>Authorization error</h1>
<p id="error">{html.escape(error_name)}</p>
<p id="error-description">{html.escape(description or "")}</p>
</body></html>"""
    return HTMLResponse(body, status_code=status)


def consent_page(client, pairs, user: Account):
    """The consent screen: names the client and the person's account, posts the request back
    with Allow or Deny."""
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
<p>It will be able to read and change the data of your account,
<b id="account-name">{html.escape(user.name)}</b>
(<span id="account-email">{html.escape(user.email)}</span>).</p>
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

    def __init__(self, state: MockState, allow_origins=(), allowed_hosts=(), limits=None):
        self.state = state
        self.limits = limits or Limits()
        state.set_limits(self.limits)
        self.access = AccessPolicy(allowed_hosts, allow_origins)
        self.oauth = MockAuthorizationServer(state)
        routes = [
            Route("/oauth2_authorize.html", self.authorize, methods=["GET", "POST"]),
            Route("/v3/token", self.token, methods=["POST"]),
            Route("/v3/accounts", self.accounts, methods=["GET"]),
            Route("/v3/from-fields", self.from_fields, methods=["GET"]),
            Route("/v3/from-fields/{from_field_id}", self.from_field, methods=["GET"]),
            Route("/v3/{rest:path}", self.api_not_found, methods=["GET", "POST", "PUT", "DELETE"]),
            Route(INDEX_PATH, self.control_index, methods=["GET"]),
            *(Route(control.path, self.control_endpoint(control), methods=[control.method])
              for control in CONTROLS),
        ]
        middleware = []
        if allow_origins:
            # Off by default: the real API sends no CORS headers, so a mock that did would let
            # a browser app pass tests and then fail against GetResponse.
            middleware.append(Middleware(CORSMiddleware, allow_origins=list(allow_origins),
                                         allow_methods=["*"], allow_headers=["*"],
                                         expose_headers=["X-RateLimit-Limit",
                                                         "X-RateLimit-Remaining",
                                                         "X-RateLimit-Reset", "Retry-After"]))
        self.asgi = Starlette(routes=routes, middleware=middleware,
                              exception_handlers={BadRequest: self.bad_request})
        self.asgi.router.not_found = self.not_found

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.asgi(scope, receive, send)
        refusal = self.refusal(scope)
        if scope["path"] in BROWSER_NOISE:
            return await (refusal or self.asgi)(scope, receive, send)
        entry = start_entry(scope)
        self.state.log(entry)
        listener = self.state.log_listener

        async def send_logged(message):
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
                if listener:
                    listener(entry)
            await send(message)

        if refusal:
            return await refusal(scope, receive, send_logged)
        latency = self.state.latency_ms
        path = scope["path"]
        # API calls wait inside `api()`, where they count as simultaneous calls.
        if latency and not path.startswith("/_mock/") and not (
                path.startswith("/v3/") and path != "/v3/token"):
            await asyncio.sleep(latency / 1000)
        await self.asgi(scope, receive, send_logged)

    def refusal(self, scope):
        """The answer to a request from where the mock takes no requests (see _access_policy),
        or None."""
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

    async def bad_request(self, request, error):
        path = request.url.path
        if path == "/v3/token":
            return json_response(token_error_body(error.status, "invalid_request", error.message),
                                 error.status)
        if path.startswith("/v3/"):
            return getresponse_error(error.status, 1000, error.message)
        return json_response({"error": "invalid_request", "error_description": error.message},
                             error.status)

    async def not_found(self, scope, receive, send):
        await HTMLResponse("<h1>Not found</h1>", status_code=404)(scope, receive, send)

    # -- authorization endpoint -------------------------------------------------------

    async def authorize(self, request: Request):
        pairs = query_pairs(request)
        form = await read_form(request, self.limits) if request.method == "POST" else []
        decision = dict(form).pop("decision", None)
        pairs += [(k, v) for k, v in form if k != "decision"]
        repeated = repeated_parameter(pairs)
        if repeated:
            # RFC 6749 3.1; with a parameter given twice, not even redirect_uri can be trusted.
            return error_page("invalid_request", f"The parameter {repeated} is repeated")
        oauth_request = ParsedRequest(request.method, str(request.url), request.headers, pairs, [])
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
            decision = self.state.take_consent()
        if decision is None:
            return consent_page(grant.client, pairs, ACCOUNT)
        if decision not in ("allow", "deny", "wrong_state"):
            raise BadRequest("decision must be 'allow' or 'deny'")
        user = None if decision == "deny" else ACCOUNT
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
        form = await read_form(request, self.limits)
        problem = token_request_problem(request, form)
        if problem:
            raise BadRequest(problem)
        # RFC 6749 3.2: the parameters of a token request are the form body's, never the query's.
        oauth_request = ParsedRequest("POST", str(request.url), request.headers, [], form)
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

    async def api(self, request, build):
        """One API call: MAX domain, authentication, rate limits and failure switches, then
        `build()` -> (body, extra headers). Every answer carries the X-RateLimit headers
        ("Every API response includes a few additional headers", apidocs .../v3/limits)."""
        refusal = self.check_domain(request)
        account = None
        if refusal is None:
            account, refusal = self.authenticate(request)
        if refusal is not None:
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
            return self.quota_error(headers, 1, f"More calls than allowed {passed}: "
                                    "please wait a second (apidocs.getresponse.com/v3/limits)",
                                    limit=limit)
        try:
            latency = self.state.latency_ms
            if latency:
                await asyncio.sleep(latency / 1000)
            forced = self.state.take_api_error()
            if forced and forced["code"] == 1015:
                return self.quota_error(headers, getresponse_api.FORCED_QUOTA_RESET_SECONDS,
                                        forced.get("message"), forced["status"])
            if forced:
                context = {"sentToken": request.headers.get("authorization", "").partition(" ")[2]
                           } if forced["code"] == 1014 else None
                return getresponse_error(forced["status"], forced["code"], forced.get("message"),
                                         context, headers)
            if remaining < 0:
                return self.quota_error(headers, reset_in)
            try:
                body, extra = build()
            except BadRequest as error:
                code = 1013 if isinstance(error, NotFound) else 1000
                return getresponse_error(error.status, code, error.message, headers=headers)
            return json_response(body, headers=dict(headers, **extra))
        finally:
            self.state.end_call(account)

    @staticmethod
    def quota_error(headers, reset_in, message=None, status=429, limit=None):
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

    def base_url(self, request):
        return str(request.base_url).rstrip("/")

    def with_text(self, kind, resource):
        """`resource` (an "account" or a "from_field") with the text the `api_text` switch sets."""
        return dict(resource, **self.state.api_text(kind))

    async def accounts(self, request: Request):
        fields = dict(query_pairs(request)).get("fields")
        account = self.with_text("account", getresponse_api.account(self.base_url(request)))
        return await self.api(request, lambda: (
            getresponse_api.select_fields(account, fields, "accountId"), {}))

    async def from_fields(self, request: Request):
        params = dict(query_pairs(request))

        def build():
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

        return await self.api(request, build)

    async def from_field(self, request: Request):
        """`GET /v3/from-fields/{fromFieldId}`, where each from-field's `href` points."""
        wanted = request.path_params["from_field_id"]
        fields = dict(query_pairs(request)).get("fields")

        def build():
            for field in getresponse_api.from_fields(self.base_url(request)):
                if field["fromFieldId"] == wanted:
                    return getresponse_api.select_fields(self.with_text("from_field", field),
                                                         fields, "fromFieldId"), {}
            raise NotFound(request.url.path)

        return await self.api(request, build)

    async def api_not_found(self, request: Request):
        def build():
            raise NotFound(request.url.path)

        return await self.api(request, build)

    # -- /_mock/ controls ----------------------------------------------------------------

    async def control_index(self, request):
        return json_response({"controls": [control.listing() for control in CONTROLS]})

    def control_endpoint(self, control: Control):
        """The route of one control: its body (or query) to its `MockState` setter, whose
        answer it sends; a value the setter refuses is a 400 with the setter's message."""

        async def endpoint(request: Request):
            if control.method == "GET":
                data = dict(query_pairs(request))
            else:
                data = await read_json(request, self.limits)
            try:
                answer = control.apply(self.state, data)
            except ControlRefused as refusal:
                raise BadRequest(str(refusal)) from None
            return json_response(answer, control.status)

        return endpoint


def unknown_credentials():
    """401 / 1014 for a key or token the mock does not know (the OpenAPI operation examples)."""
    return getresponse_error(401, 1014, context={"authenticationType": "auth_token"})


class NotFound(BadRequest):
    """An API path or resource that does not exist: GetResponse's 404 / 1013."""

    def __init__(self, path):
        super().__init__(f"No such resource: {path}", status=404)
