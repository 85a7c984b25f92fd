"""The mock GetResponse authorization server and API: `run_mock_server()` gives a `MockServer`.

Its parts are private; each has one job:

    _controls           the table of switches: the /_mock/ controls and the Python methods
    _switch_methods     those methods (`MockServer`'s and the audit's `RemoteMock`'s), written
                        from the table by `_switch_methods_writer`
    _state              what the mock remembers and its switches' setters, behind its lock
    _models             what Authlib's grants get: Client, Account (the one account), codes, tokens
    _rate_limits        GetResponse's rate limits, counted per caller
    _oldest_first       the bounded store each memory is kept in
    _clock              the mock's clock, which tests move forward
    _oauth_server       Authlib's RFC 6749 grants on the state, their answers as Starlette's
    _getresponse_api    error bodies, rate-limit headers, the API's resources
    _app                the ASGI app, one part per job:
      _authorization_endpoint   /oauth2_authorize.html (pages from templates/, by _pages)
      _token_endpoint           /v3/token
      _api_endpoints            the API under /v3
      _control_endpoints        /_mock/
      _middleware               the request log, host and origin refusal, latency
      _http                     request bodies read and checked, refusals, JSON answers
    _request_log        the redacted request log
    _access_policy      which Host names and Origins it answers
    _connection_limits  what one connection may make it hold (`Limits`)
    _server             the server on a thread (`run_mock_server`, `MockServer`)
"""

from ._clock import Clock
from ._connection_limits import Limits
from ._server import MockServer, run_mock_server
from ._state import ControlRefused

__all__ = ["Clock", "ControlRefused", "Limits", "MockServer", "run_mock_server"]
