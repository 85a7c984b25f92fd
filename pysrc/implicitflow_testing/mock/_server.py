"""`MockServer`: the mock GetResponse on a real port, with its switches as Python methods.

    with run_mock_server() as server:
        server.deny_next()
        ...  # drive a browser to server.url + "/oauth2_authorize.html?..."
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from implicitflow_testing.mock._app import MockApp
from implicitflow_testing.mock._clock import Clock
from implicitflow_testing.mock._connection_limits import Limits, limited_protocol
from implicitflow_testing.mock._controls import BY_PATH
from implicitflow_testing.mock._state import DEFAULT_API_KEY, MockState
from implicitflow_testing.mock._switch_methods import SwitchMethods
from implicitflow_testing.serving import ServerThread

MAX_API_BASES = {"us": "api3.getresponse360.com", "pl": "api3.getresponse360.pl"}


class MockServer(SwitchMethods):
    """A running mock. Its switches (`deny_next()`, `fail_api(...)`, ... from `SwitchMethods`)
    are the controls under /_mock/ that other languages call over HTTP, called in-process."""

    def __init__(self, thread: ServerThread, app: MockApp, max_region: str | None = None) -> None:
        self._thread = thread
        self.app = app
        self.state: MockState = app.state
        self.clock: Clock = app.state.clock
        #: The MAX region it stands for ("us" or "pl"), or None when it is not a MAX environment.
        self.max_region = max_region

    @property
    def url(self) -> str:
        return self._thread.url

    @property
    def port(self) -> int:
        return self._thread.port

    @property
    def authorize_url(self) -> str:
        return self.url + "/oauth2_authorize.html"

    @property
    def api_base(self) -> str:
        return self.url + "/v3"

    @property
    def api_key(self) -> str:
        """The account's API key: send `X-Auth-Token: api-key <key>`."""
        return self.state.api_key

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return BY_PATH[path].apply(self.state, body)


class MockServerThread(ServerThread):
    """A `ServerThread` whose connections are held to `Limits` (see _connection_limits)."""

    def __init__(self, app: MockApp, limits: Limits, host: str, port: int) -> None:
        super().__init__(app, host=host, port=port)
        self._server.config.http = limited_protocol(limits)


@contextlib.contextmanager
def run_mock_server(host: str = "127.0.0.1", port: int = 0, auto_approve: bool = False,
                    max_region: str | None = None, max_domains: Iterable[str] = (),
                    allow_origins: Iterable[str] = (), rotate_refresh_tokens: bool = False,
                    clock: Clock | None = None, allowed_hosts: Iterable[str] = (),
                    api_key: str = DEFAULT_API_KEY, limits: Limits | None = None,
                    token_lifetime: int | None = None) -> Iterator[MockServer]:
    """Start the mock on a background thread; stop it on exit.

    `max_domains` makes it a GetResponse MAX environment (of `max_region`, "us" unless "pl"):
    token requests and API calls must then carry `X-Domain` naming one of the domains.
    It answers only requests whose Host is a loopback name or one of `allowed_hosts` (e.g. the
    service name in a container network), and takes control requests from browsers only on
    loopback origins and `allow_origins`. `limits` (a `Limits`) bounds what a request can make
    it hold. `auto_approve`, `rotate_refresh_tokens` and `token_lifetime` (seconds; None:
    GetResponse's) are the switches' defaults, which each `reset()` puts back.
    """
    max_domains = tuple(max_domains)
    if max_region is not None and max_region not in MAX_API_BASES:
        raise ValueError("max_region must be 'us' or 'pl'")
    if max_region and not max_domains:
        raise ValueError("a MAX environment needs at least one custom domain")
    if max_domains and not max_region:
        max_region = "us"
    state = MockState(clock=clock, auto_approve=auto_approve, max_domains=max_domains,
                      rotate_refresh_tokens=rotate_refresh_tokens, api_key=api_key,
                      token_lifetime=token_lifetime)
    limits = limits or Limits()
    app = MockApp(state, allow_origins=allow_origins, allowed_hosts=allowed_hosts, limits=limits)
    with MockServerThread(app, limits, host=host, port=port) as thread:
        yield MockServer(thread, app, max_region)
