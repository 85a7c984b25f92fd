"""The mock's switches, in one table: each control under /_mock/, the body it takes, the
`MockState` setter that checks and sets it, and the Python methods that drive it.

From this table come:
  - the HTTP routes under /_mock/ (`_app`), and what `GET /_mock/` lists;
  - the methods of `SwitchMethods` (`_switch_methods.py`, written by
    `python -m implicitflow_testing.mock._switch_methods_writer`), which `MockServer` (calling
    the state in-process) and the audit's `RemoteMock` (calling the mock over HTTP) inherit.

A switch's values are checked in one place, its `MockState` setter, whichever way it is called:
Python and HTTP refuse the same values with the same message (`ControlRefused`; over HTTP, 400).
To add a switch: a setter on `MockState`, a row here, then regenerate `_switch_methods.py`
(tests/unit/test_mock_controls.py fails until it is current).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from implicitflow_testing.mock._state import UNCHANGED, ControlRefused

if TYPE_CHECKING:
    from implicitflow_testing.mock._state import MockState

#: Marks a parameter without a default.
REQUIRED: Any = object()


@dataclass(frozen=True)
class Field:
    """A field of a control's JSON body (of its query, for a GET), passed to the setter as the
    keyword argument of the same name; `default` when the body leaves it out."""

    name: str
    default: Any = None


@dataclass(frozen=True)
class Param:
    """A parameter of a Python method: its annotation (as source) and default, and the body
    field it fills (the parameter's own name unless given)."""

    name: str
    annotation: str
    default: Any = REQUIRED
    field: str | None = None

    @property
    def body_field(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Method:
    """A Python method that drives a control: its parameters, the body fields it fixes, what it
    returns (`result`: the answer's field; "" for the whole answer; None for nothing)."""

    name: str
    doc: str
    params: tuple[Param, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    result: str | None = None
    returns: str = "None"

    def call_text(self) -> str:
        """How `GET /_mock/` shows it: `fail_api(status, code, count=1, message=None)`."""
        shown = [p.name if p.default is REQUIRED else f"{p.name}={p.default!r}"
                 for p in self.params]
        return f"{self.name}({', '.join(shown)})"


@dataclass(frozen=True)
class Control:
    """One control: `method` `path` with a JSON body of `fields` (for GET, a query), which
    `MockState.<setter>` checks and applies; its answer is the setter's, with `status`."""

    path: str
    setter: str
    fields: tuple[Field, ...]
    example: dict[str, Any]
    methods: tuple[Method, ...]
    method: str = "POST"
    status: int = 200
    #: Refuse body fields this control does not take (otherwise they are ignored).
    strict: bool = False

    def apply(self, state: MockState, data: dict[str, Any]) -> dict[str, Any]:
        """Call the setter with `data`'s fields; its answer. Raises ControlRefused."""
        if self.strict and not set(data) <= {f.name for f in self.fields}:
            raise ControlRefused(f"{self.path} takes only: "
                                 + ", ".join(f.name for f in self.fields))
        arguments = {f.name: data.get(f.name, f.default) for f in self.fields}
        answer: dict[str, Any] = getattr(state, self.setter)(**arguments)
        return answer

    def listing(self) -> dict[str, Any]:
        """This control as `GET /_mock/` lists it."""
        return {"method": self.method, "path": self.path,
                "query" if self.method == "GET" else "body": self.example,
                "python": ", ".join(method.call_text() for method in self.methods)}


ENABLED = (Param("enabled", "bool", True),)

CONTROLS: tuple[Control, ...] = (
    Control("/_mock/reset", "reset", (), {}, (
        Method("reset", "Forget clients, tokens, codes and the log; switches back to their "
                        "defaults."),)),
    Control("/_mock/clients", "register_client",
            (Field("client_id"), Field("client_secret"), Field("redirect_uris"), Field("name")),
            {"client_id": "app", "client_secret": "secret", "name": "My App",
             "redirect_uris": ["https://app.example/callback"]}, (
        Method("register_client", "Register (or replace) a client that may use these redirect "
                                  "URIs; `name` is what the consent page calls it.",
               (Param("client_id", "str"), Param("client_secret", "str"),
                Param("redirect_uris", "Iterable[str]"), Param("name", "str | None", None))),),
            status=201),
    Control("/_mock/consent", "set_consent",
            (Field("next", UNCHANGED), Field("auto_approve", UNCHANGED)),
            {"next": "deny", "auto_approve": True}, (
        Method("deny_next", "The next authorization is denied (as if the user clicked Deny).",
               fixed={"next": "deny"}),
        Method("approve_next", "The next authorization is approved (as if the user clicked "
                               "Allow).", fixed={"next": "allow"}),
        Method("wrong_state_next", "The next authorization redirects with a state the client "
                                   "never sent.", fixed={"next": "wrong_state"}),
        Method("set_auto_approve", "Approve every authorization without the consent page (until "
                                   "reset).", (Param("enabled", "bool", True, "auto_approve"),)),
    )),
    Control("/_mock/tokens/expire", "expire_tokens", (Field("access_token"),),
            {"access_token": "optional"}, (
        Method("expire_tokens", "Expire one access token, or all; returns how many.",
               (Param("access_token", "str | None", None),), result="expired", returns="int"),)),
    Control("/_mock/token-lifetime", "set_token_lifetime", (Field("seconds"),), {"seconds": 90}, (
        Method("set_token_lifetime", "Lifetime of new tokens in seconds; None restores the "
                                     "seed's 3600 / 86400.",
               (Param("seconds", "int | None"),)),)),
    Control("/_mock/api-error", "fail_api",
            (Field("status"), Field("code"), Field("count", 1), Field("message")),
            {"status": 429, "code": 1015, "count": 1}, (
        Method("fail_api", "Answer the next `count` API calls with GetResponse's error body "
                           "for `code` (status 400-599).",
               (Param("status", "int"), Param("code", "int"), Param("count", "int", 1),
                Param("message", "str | None", None))),)),
    Control("/_mock/latency", "set_latency", (Field("ms"),), {"ms": 200}, (
        Method("set_latency", "Hold every answer `ms` milliseconds (0 to 60000); an API call "
                              "counts as in flight meanwhile.", (Param("ms", "int"),)),)),
    Control("/_mock/refresh-rotation", "set_refresh_rotation", (Field("enabled"),),
            {"enabled": True}, (
        Method("set_refresh_rotation", "Each refresh issues a new refresh token and revokes the "
                                       "one used.", ENABLED),)),
    Control("/_mock/documented-limits", "set_documented_limits", (Field("enabled"),),
            {"enabled": True}, (
        Method("enforce_documented_limits",
               "Answer 429 / 1015 past GetResponse's 80 calls a second or 10 simultaneous calls "
               "per account, so an app can test its back-off (the 30,000 per 10 minutes always "
               "applies).", ENABLED),)),
    Control("/_mock/clock", "advance_clock", (Field("advance"),), {"advance": 600}, (
        Method("advance_clock", "Move the mock's clock `seconds` forward (the same as "
                                "`clock.advance(seconds)`); returns its offset now. A browser's "
                                "clock is its own: see the plugin's `shared_clock`.",
               (Param("seconds", "float", field="advance"),), result="offset",
               returns="float"),)),
    Control("/_mock/api-text", "set_api_text", (Field("account"), Field("from_field")),
            {"account": {"firstName": "<b>Ada</b>"}, "from_field": {"name": "x"}}, (
        Method("set_api_text", 'Answer these API text fields with this text (`{"firstName": '
                               '"<b>x</b>"}` for the account, `{"name": ...}` for every '
                               "from-field); no arguments restores the mock's own.",
               (Param("account", "Mapping[str, str] | None", None),
                Param("from_field", "Mapping[str, str] | None", None))),),
            strict=True),
    Control("/_mock/requests", "requests_after", (Field("after", 0),), {"after": 0}, (
        Method("requests", "The redacted request log, oldest first.", fixed={"after": 0},
               result="requests", returns="list[dict[str, Any]]"),
        Method("requests_after", 'The log after entry `number`: {"requests", "newest", "lost"} '
                                 "(see `_request_log.entries_after`).",
               (Param("number", "int", field="after"),), result="", returns="dict[str, Any]"),
    ), method="GET"),
)
#: The controls by path.
BY_PATH: dict[str, Control] = {control.path: control for control in CONTROLS}
#: Where `GET /_mock/` lists the controls.
INDEX_PATH = "/_mock/"
