"""`MockServer`: the mock GetResponse on a real port, with its switches as Python methods.

    with run_mock_server() as server:
        server.deny_next()
        ...  # drive a browser to server.url + "/oauth2_authorize.html?..."
"""

from __future__ import annotations

import contextlib
from typing import Any

from implicitflow_testing.serving import ServerThread
from implicitflow_testing.mock._app import MockApp
from implicitflow_testing.mock._clock import Clock
from implicitflow_testing.mock._connection_limits import Limits, limited_protocol
from implicitflow_testing.mock._controls import BY_PATH
from implicitflow_testing.mock._state import DEFAULT_API_KEY, MockState
from implicitflow_testing.mock._switch_methods import SwitchMethods

MAX_API_BASES = {"us": "api3.getresponse360.com", "pl": "api3.getresponse360.pl"}


class MockServer(SwitchMethods):
    """A running mock. Its switches (`deny_next()`, `fail_api(...)`, ... from `SwitchMethods`)
    are the controls under /_mock/ that other languages call over HTTP, called in-process."""

    def __init__(self, thread: ServerThread, app: MockApp, max_region: str | None = None) -> None:
        self._thread = thread
        self.app = app
        self.state: MockState = app.state
        self.clock: Clock = app.state.clock
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

    def __init__(self, app, limits: Limits, host, port):
        super().__init__(app, host=host, port=port)
        self._server.config.http = limited_protocol(limits)


@contextlib.contextmanager
def run_mock_server(host="127.0.0.1", port=0, auto_approve=False, max_region=None,
                    max_domains=(), allow_origins=(), rotate_refresh_tokens=False, clock=None,
                    allowed_hosts=(), api_key=DEFAULT_API_KEY, limits=None):
    """Start the mock on a background thread; stop it on exit.

    `max_region` ("us" or "pl") with `max_domains` makes it a GetResponse MAX environment:
    token requests and API calls must then carry `X-Domain` naming one of the domains.
    It answers only requests whose Host is a loopback name or one of `allowed_hosts` (e.g. the
    service name in a container network), and takes control requests from browsers only on
    loopback origins and `allow_origins`. `limits` (a `Limits`) bounds what a request can make
    it hold.
    """
    if max_region is not None and max_region not in MAX_API_BASES:
        raise ValueError("max_region must be 'us' or 'pl'")
    if max_region and not max_domains:
        raise ValueError("a MAX environment needs at least one custom domain")
    state = MockState(clock=clock, auto_approve=auto_approve,
                      max_domains=max_domains if max_region else (),
                      rotate_refresh_tokens=rotate_refresh_tokens, api_key=api_key)
    limits = limits or Limits()
    app = MockApp(state, allow_origins=allow_origins, allowed_hosts=allowed_hosts, limits=limits)
    with MockServerThread(app, limits, host=host, port=port) as thread:
        yield MockServer(thread, app, max_region)
