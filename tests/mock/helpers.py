"""Small steps of the seed's flows, shared by the mock's tests."""

import asyncio
import concurrent.futures
import socket
from urllib.parse import parse_qs, urlsplit

from implicitflow_testing.mock._state import Clock

from .conftest import authorize_params


class FrozenClock(Clock):
    """A clock that moves only when told: per-second limits without a race against time."""

    def now(self):
        return 1_000_000.0 + self.offset


def api_key(key="demo-api-key"):
    return {"X-Auth-Token": f"api-key {key}"}


def fragment_of(response):
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).fragment).items()}


def query_of(response):
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def consent(http, decision="allow", **params):
    return http.post("/oauth2_authorize.html", params=authorize_params(**params),
                     data={"decision": decision})


def authorization_code(http, **params):
    response = consent(http, response_type="code", redirect_uri=None, **params)
    return query_of(response)["code"]


def token_request(http, data, auth=("demo-client", "demo-secret"), **kwargs):
    return http.post("/v3/token", data=data, auth=auth, **kwargs)


def code_grant_tokens(http):
    response = token_request(http, {"grant_type": "authorization_code",
                                    "code": authorization_code(http)})
    assert response.status_code == 200, response.text
    return response.json()


def run_async(coroutine):
    """asyncio.run() on a thread of its own: once a Playwright test has run, pytest-playwright's
    sync API keeps an event loop running on the main thread, where asyncio.run() refuses."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def raw_exchange(port, data, wait=5.0):
    """Send bytes on a new connection; what the server answered before closing (or `wait`)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        try:
            connection.sendall(data)
        except OSError:
            pass  # the server may close before it has read everything: its answer still counts
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
        return answer
