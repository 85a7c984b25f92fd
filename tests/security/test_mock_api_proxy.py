"""The demo's same-origin API proxy reaches the API and nothing else, and caps bodies as they come."""

import socket

import httpx
import pytest
from starlette.applications import Starlette

from implicitflow_testing import ServerThread
from implicitflow_testing.harness._api_proxy import api_proxy_route


@pytest.fixture(scope="module")
def proxy(_getresponse_mock_session):
    app = Starlette(routes=[api_proxy_route("/api/getresponse", _getresponse_mock_session.api_base)])
    with ServerThread(app) as server:
        yield server


@pytest.mark.parametrize("path", ["..%2F_mock%2Frequests", "..%2f_mock%2frequests",
                                  "%2E%2E%2F_mock%2Frequests", "accounts%2F..%2F..%2F_mock%2Frequests",
                                  "./..%2F_mock%2Frequests"])
def test_encoded_dot_segments_do_not_leave_the_api(getresponse_mock, proxy, path):
    response = httpx.get(f"{proxy.url}/api/getresponse/{path}")

    assert response.status_code == 404
    assert "requests" not in response.text
    assert not [r for r in getresponse_mock.requests() if r["path"].startswith("/_mock/")]


def test_a_post_cannot_reach_a_switch_through_the_proxy(getresponse_mock, proxy):
    httpx.post(f"{proxy.url}/api/getresponse/..%2F_mock%2Fconsent", json={"auto_approve": True})

    assert getresponse_mock.state.switches.auto_approve is False


def test_api_paths_still_pass(getresponse_mock, proxy):
    response = httpx.get(f"{proxy.url}/api/getresponse/from-fields/TTzW",
                         headers={"X-Auth-Token": f"api-key {getresponse_mock.api_key}"})

    assert response.status_code == 200 and response.json()["fromFieldId"] == "TTzW"


def test_a_body_over_the_cap_is_refused_before_it_is_read(proxy):
    # Announces 100 MB, sends 1 KB and waits: a proxy that reads before checking never answers.
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as connection:
        connection.sendall(b"POST /api/getresponse/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
                           + b"a" * 1024)
        answer = connection.recv(64)

    assert answer.startswith(b"HTTP/1.1 413")


def test_a_streamed_body_over_the_cap_is_refused(proxy):
    def chunks():
        for _ in range(8):
            yield b"a" * (1 << 19)

    response = httpx.post(f"{proxy.url}/api/getresponse/contacts", content=chunks(),
                          headers={"Content-Type": "application/json"})

    assert response.status_code == 413
