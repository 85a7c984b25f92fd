"""The mock GetResponse authorization server and API: `run_mock_server()` gives a `MockServer`.

Its parts are private: `_app` (the ASGI app and its routes), `_oauth_server` (Authlib's grants),
`_state` (clients, tokens, switches), `_getresponse_api` (error bodies, rate-limit headers,
resources), `_request_log` (the redacted log), `_access_policy` (which Host names and Origins it
answers), `_connection_limits` (what one connection may make it hold: `Limits`), `_server` (the
server on a thread).
"""

from ._connection_limits import Limits
from ._server import MockServer, run_mock_server

__all__ = ["Limits", "MockServer", "run_mock_server"]
