"""The mock's switches come from one table (mock._controls): its HTTP routes under /_mock/, what
`GET /_mock/` lists, and the Python methods `MockServer` and the audit's `RemoteMock` share; each
switch's values are checked once, by its `MockState` setter, so Python and HTTP refuse alike."""

from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from implicitflow_testing.audit._remote_mock import RemoteMock
from implicitflow_testing.mock import run_mock_server
from implicitflow_testing.mock._controls import BY_PATH, CONTROLS, INDEX_PATH
from implicitflow_testing.mock._state import ControlRefused
from implicitflow_testing.mock._switch_methods import SwitchMethods
from implicitflow_testing.mock._switch_methods_writer import GENERATED, switch_methods_source

PACKAGE = Path(__file__).resolve().parents[2] / "pysrc" / "implicitflow_testing"


@pytest.fixture(scope="module")
def mock():
    with run_mock_server() as server:
        yield server


@pytest.fixture
def http(mock):
    mock.reset()
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        yield client


def test_every_control_route_is_in_the_table_and_every_row_is_a_route(mock):
    routes = {(route.path, method) for route in mock.app.controls.routes if isinstance(route, Route)
              and route.path.startswith("/_mock/") for method in route.methods - {"HEAD"}}

    assert routes == {(INDEX_PATH, "GET")} | {(c.path, c.method) for c in CONTROLS}


def test_get_mock_lists_exactly_the_table(http):
    listed = http.get(INDEX_PATH).json()["controls"]

    assert [(c["method"], c["path"]) for c in listed] == [(c.method, c.path) for c in CONTROLS]
    assert all(c["python"] for c in listed)


def test_the_switch_methods_are_what_the_table_writes():
    assert GENERATED.read_text() == switch_methods_source(), (
        "mock/_switch_methods.py is not what the table in mock/_controls.py makes: run "
        "`python -m implicitflow_testing.mock._switch_methods_writer`")


def test_every_method_of_the_table_is_on_the_mock_and_the_remote_mock():
    names = {method.name for control in CONTROLS for method in control.methods}

    assert names <= set(vars(SwitchMethods))
    assert issubclass(RemoteMock, SwitchMethods)
    assert not {name for name in vars(RemoteMock) if name in names}, "RemoteMock redefines a switch"


class Recorder(SwitchMethods):
    def __init__(self):
        self.calls = []

    def _control(self, path, body):
        self.calls.append((path, body))
        return {"expired": 0, "offset": 0.0, "requests": []}


ARGUMENTS = {"register_client": ("app", "secret", ["https://app.example/cb"]),
             "fail_api": (429, 1015), "set_token_lifetime": (90,), "set_latency": (0,),
             "advance_clock": (0,), "requests_after": (0,)}


@pytest.mark.parametrize("control, method", [(c, m) for c in CONTROLS for m in c.methods],
                         ids=lambda value: getattr(value, "name", None) or value.path)
def test_each_method_sends_its_controls_fields_only(control, method):
    recorder = Recorder()

    getattr(recorder, method.name)(*ARGUMENTS.get(method.name, ()))

    [(path, body)] = recorder.calls
    assert path == control.path and BY_PATH[path] is control
    assert set(body) <= {field.name for field in control.fields}


#: (method, arguments, the control's path, its body): values each switch refuses.
REFUSED = [
    ("set_latency", ("slow",), "/_mock/latency", {"ms": "slow"}),
    ("set_latency", (60001,), "/_mock/latency", {"ms": 60001}),
    ("set_token_lifetime", (-1,), "/_mock/token-lifetime", {"seconds": -1}),
    ("set_token_lifetime", (True,), "/_mock/token-lifetime", {"seconds": True}),
    ("fail_api", (200, 1), "/_mock/api-error", {"status": 200, "code": 1}),
    ("fail_api", (429, 1015, 0), "/_mock/api-error", {"status": 429, "code": 1015, "count": 0}),
    ("fail_api", (429, 1015, 1, 5), "/_mock/api-error",
     {"status": 429, "code": 1015, "message": 5}),
    ("set_auto_approve", ("yes",), "/_mock/consent", {"auto_approve": "yes"}),
    ("set_refresh_rotation", (1,), "/_mock/refresh-rotation", {"enabled": 1}),
    ("enforce_documented_limits", (None,), "/_mock/documented-limits", {"enabled": None}),
    ("advance_clock", (-5,), "/_mock/clock", {"advance": -5}),
    ("set_api_text", ({"password": "x"},), "/_mock/api-text", {"account": {"password": "x"}}),
    ("set_api_text", ({"firstName": 5},), "/_mock/api-text", {"account": {"firstName": 5}}),
    ("expire_tokens", (5,), "/_mock/tokens/expire", {"access_token": 5}),
    ("register_client", ("app", "secret", "https://app.example/cb"), "/_mock/clients",
     {"client_id": "app", "client_secret": "secret", "redirect_uris": "https://app.example/cb"}),
    ("requests_after", (-1,), "/_mock/requests", {"after": -1}),
]


@pytest.mark.parametrize("name, arguments, path, body", REFUSED,
                         ids=[f"{row[0]}{row[1]!r}" for row in REFUSED])
def test_python_and_http_refuse_the_same_values_with_the_same_message(mock, http, name, arguments,
                                                                      path, body):
    with pytest.raises(ControlRefused) as in_python:
        getattr(mock, name)(*arguments)
    if BY_PATH[path].method == "GET":
        answer = http.get(path, params=body)
    else:
        answer = http.post(path, json=body)
    remote = RemoteMock(mock.url)
    with pytest.raises(ControlRefused) as remotely:
        getattr(remote, name)(*arguments)
    remote.close()

    assert answer.status_code == 400
    assert answer.json()["error_description"] == str(in_python.value) == str(remotely.value)


def test_a_refused_value_changes_nothing(mock):
    mock.set_latency(20)

    with pytest.raises(ControlRefused):
        mock.set_latency(-1)

    assert mock.state.switches.latency_ms == 20
    mock.reset()


def test_python_and_http_answer_alike(mock, http):
    assert http.post("/_mock/latency", json={"ms": 5}).json() == {"ms": 5}
    assert mock.state.switches.latency_ms == 5
    mock.set_latency(0)
    assert http.post("/_mock/tokens/expire", json={}).json() == {"expired": mock.expire_tokens()}
    assert RemoteMock(mock.url).requests_after(0)["newest"] == mock.requests_after(0)["newest"]


def test_no_module_of_the_testing_package_takes_the_state_lock_from_outside():
    """The state's lock is taken inside MockState only: the audit too reads through its API."""
    takers = [path.relative_to(PACKAGE) for path in PACKAGE.rglob("*.py")
              if path.name != "_state.py"
              and ("state.lock" in path.read_text() or "state._lock" in path.read_text())]

    assert takers == []
