"""A same-origin proxy to the GetResponse API, as a browser app needs one.

The real API sends no CORS headers, so a page can only call it through its own
origin. This forwards the headers the API reads (never cookies, never Referer)
and returns its answer with the headers a client uses. It reaches nothing but
the API: a path is forwarded only as segments below `api_base`, and a body only
up to a size read as it streams in.
"""

from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from implicitflow_testing.mock._connection_limits import read_limited

FORWARDED_REQUEST_HEADERS = ("authorization", "x-domain", "content-type", "accept", "x-time-zone",
                             "x-parent-login", "x-auth-token")
FORWARDED_RESPONSE_HEADERS = ("content-type", "x-ratelimit-limit", "x-ratelimit-remaining",
                              "x-ratelimit-reset", "retry-after", "totalcount", "totalpages",
                              "currentpage")
MAX_BODY_BYTES = 1 << 20


def api_url(api_base, path):
    """`{api_base}/{path}`, or None when `path` would leave `api_base`.

    The server has already percent-decoded the path, so `..%2F_mock` arrives as `../_mock`:
    every segment is checked, then encoded again, so none can climb out or add a separator.
    """
    segments = path.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        return None
    return api_base.rstrip("/") + "/" + "/".join(quote(segment, safe="") for segment in segments)


def api_proxy_route(prefix, api_base):
    """A route: `{prefix}/{path}` -> `{api_base}/{path}` (e.g. "/api/getresponse" -> ".../v3")."""
    client = httpx.AsyncClient(timeout=30)

    async def forward(request: Request):
        url = api_url(api_base, request.path_params["path"])
        if url is None:
            return Response("Not an API path", status_code=404)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return Response("request body too large", status_code=413)
        try:
            body = await read_limited(request.receive, MAX_BODY_BYTES)
        except ConnectionError:
            return Response("The request body did not arrive whole", status_code=400)
        if body is None:
            return Response("request body too large", status_code=413)
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST_HEADERS}
        try:
            answer = await client.request(request.method, url, params=request.url.query,
                                          headers=headers, content=body or None)
        except httpx.HTTPError:
            return Response("The API could not be reached", status_code=502)
        kept = {k: v for k, v in answer.headers.items() if k.lower() in FORWARDED_RESPONSE_HEADERS}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    return Route(prefix.rstrip("/") + "/{path:path}", forward,
                 methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
