"""The controls under /_mock/, one route per row of the table in `_controls`, and the index
`GET /_mock/` that lists them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from implicitflow_testing.mock._connection_limits import Limits
from implicitflow_testing.mock._controls import CONTROLS, INDEX_PATH, Control
from implicitflow_testing.mock._http import (
    BadRequest,
    Refused,
    html_not_found,
    invalid_request,
    json_response,
    query_pairs,
    read_json,
)
from implicitflow_testing.mock._state import ControlRefused, MockState


def control_endpoint(control: Control, state: MockState,
                     limits: Limits) -> Callable[[Request], Awaitable[Response]]:
    """The route of one control: its body (or query) to its `MockState` setter, whose answer
    it sends; a value the setter refuses is a 400 with the setter's message."""

    async def endpoint(request: Request) -> Response:
        if control.method == "GET":
            data = dict(query_pairs(request))
        else:
            data = await read_json(request, limits)
        try:
            answer = control.apply(state, data)
        except ControlRefused as refusal:
            raise BadRequest(str(refusal)) from None
        return json_response(answer, control.status)

    return endpoint


def controls_app(state: MockState, limits: Limits) -> Starlette:
    """The controls; a refused request gets RFC 6749's JSON error fields."""

    async def index(request: Request) -> Response:
        return json_response({"controls": [control.listing() for control in CONTROLS]})

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return invalid_request(error.status, error.message)

    app = Starlette(routes=[
        Route(INDEX_PATH, index, methods=["GET"]),
        *(Route(control.path, control_endpoint(control, state, limits), methods=[control.method])
          for control in CONTROLS),
    ], exception_handlers={Refused: refused})
    app.router.not_found = html_not_found
    return app
