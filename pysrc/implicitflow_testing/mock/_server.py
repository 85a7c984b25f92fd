"""`MockServer`: the mock GetResponse on a real port, with its switches as Python methods.

    with run_mock_server() as server:
        server.deny_next()
        ...  # drive a browser to server.url + "/oauth2_authorize.html?..."
"""

import contextlib

from implicitflow_testing.harness._server_thread import ServerThread
from implicitflow_testing.mock._app import MockApp
from implicitflow_testing.mock._connection_limits import Limits, limited_protocol
from implicitflow_testing.mock._state import DEFAULT_API_KEY, Client, Clock, MockState

MAX_API_BASES = {"us": "api3.getresponse360.com", "pl": "api3.getresponse360.pl"}


class MockServer:
    """A running mock. Every switch here has an HTTP twin under /_mock/ for other languages."""

    def __init__(self, thread: ServerThread, app: MockApp, max_region=None):
        self._thread = thread
        self.app = app
        self.state = app.state
        self.clock: Clock = app.state.clock
        self.max_region = max_region

    @property
    def url(self):
        return self._thread.url

    @property
    def port(self):
        return self._thread.port

    @property
    def authorize_url(self):
        return self.url + "/oauth2_authorize.html"

    @property
    def api_base(self):
        return self.url + "/v3"

    @property
    def api_key(self):
        """The account's API key: send `X-Auth-Token: api-key <key>`."""
        return self.state.api_key

    def url_for(self, path):
        return self.url + "/" + path.lstrip("/")

    # -- switches ------------------------------------------------------------------------

    def reset(self):
        """Forget clients, tokens, codes and the log; switches back to their defaults."""
        self.state.reset()

    def register_client(self, client_id, client_secret, redirect_uris, name=None):
        return self.state.add_client(Client(client_id, client_secret, name or client_id,
                                            list(redirect_uris)))

    def deny_next(self):
        """The next authorization is denied (as if the user clicked Deny)."""
        self.state.switches.next_consent = "deny"

    def approve_next(self):
        self.state.switches.next_consent = "allow"

    def wrong_state_next(self):
        """The next authorization redirects with a state the client never sent."""
        self.state.switches.next_consent = "wrong_state"

    def set_auto_approve(self, enabled=True):
        self.state.switches.auto_approve = enabled

    def expire_tokens(self, access_token=None):
        """Expire one token, or all; returns how many."""
        return self.state.expire_tokens(access_token)

    def set_token_lifetime(self, seconds):
        """Lifetime of new tokens in seconds; None restores the seed's 3600 / 86400."""
        self.state.switches.token_lifetime = seconds

    def fail_api(self, status, code, count=1, message=None):
        """Answer the next `count` API calls with GetResponse's error body for `code`."""
        self.state.arm_api_error(status, code, count, message)

    def set_latency(self, ms):
        self.state.switches.latency_ms = ms

    def set_refresh_rotation(self, enabled=True):
        self.state.switches.rotate_refresh_tokens = enabled

    def enforce_documented_limits(self, enabled=True):
        """Answer 429 / 1015 past GetResponse's 80 calls a second or 10 simultaneous calls per
        account, so an app can test its back-off (the 30,000 per 10 minutes always applies)."""
        self.state.switches.documented_limits = enabled

    def set_api_text(self, account=None, from_field=None):
        """Answer these API text fields with this text (`{"firstName": "<b>x</b>"}` for the
        account, `{"name": ...}` for every from-field); no arguments restores the mock's own."""
        texts = {kind: dict(values) for kind, values in
                 (("account", account), ("from_field", from_field)) if values}
        self.state.switches.api_text = texts or None

    def requests(self):
        """The redacted request log, oldest first."""
        with self.state.lock:
            return list(self.state.requests)


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
