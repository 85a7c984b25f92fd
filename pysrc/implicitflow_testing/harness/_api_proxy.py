"""A same-origin proxy to the GetResponse API, as a browser app needs one.

The real API sends no CORS headers, so a page can only call it through its own
origin. This forwards the headers the API reads (never cookies, never Referer)
and returns its answer with the headers a client uses.
"""

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FORWARDED_REQUEST_HEADERS = ("authorization", "x-domain", "content-type", "accept", "x-time-zone",
                             "x-parent-login")
FORWARDED_RESPONSE_HEADERS = ("content-type", "x-ratelimit-limit", "x-ratelimit-remaining",
                              "x-ratelimit-reset", "totalcount", "totalpages", "currentpage")
MAX_BODY_BYTES = 1 << 20


def api_proxy_route(prefix, api_base):
    """A route: `{prefix}/{path}` -> `{api_base}/{path}` (e.g. "/api/getresponse" -> ".../v3")."""
    client = httpx.AsyncClient(timeout=30)

    async def forward(request: Request):
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return Response("request body too large", status_code=413)
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED_REQUEST_HEADERS}
        url = api_base.rstrip("/") + "/" + request.path_params["path"]
        try:
            answer = await client.request(request.method, url, params=request.url.query,
                                          headers=headers, content=body or None)
        except httpx.HTTPError:
            return Response("The API could not be reached", status_code=502)
        kept = {k: v for k, v in answer.headers.items() if k.lower() in FORWARDED_RESPONSE_HEADERS}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    return Route(prefix.rstrip("/") + "/{path:path}", forward,
                 methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
