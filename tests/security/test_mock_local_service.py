"""The mock on a developer's machine: web pages they browse cannot control it or read it.

A page on any site can send a form POST or a `no-cors` fetch to 127.0.0.1 (Chromium adds its
Origin), and a DNS-rebinding page reaches the mock under its own Host name.
"""

import httpx
import pytest

from implicitflow_testing.mock._server import run_mock_server
from tests.mock.helpers import raw_exchange

EVIL = "http://evil.example"
CONTROLS = [
    ("/_mock/consent", {"auto_approve": True}),
    ("/_mock/consent", {"next": "allow"}),
    ("/_mock/token-lifetime", {"seconds": 1}),
    ("/_mock/api-error", {"status": 429, "code": 1015}),
    ("/_mock/clients", {"client_id": "demo-client", "client_secret": "x",
                        "redirect_uris": [EVIL + "/steal"]}),
    ("/_mock/latency", {"ms": 60000}),
    ("/_mock/clock", {"advance": 86400}),
    ("/_mock/tokens/expire", {}),
    ("/_mock/refresh-rotation", {"enabled": True}),
    ("/_mock/documented-limits", {"enabled": True}),
    ("/_mock/reset", {}),
]
REFUSED = {"cross-site": 0, "sent": 0}
TWO_HOSTS = []  # the status of each request sent with two Host headers


def switches_untouched(mock):
    switches = mock.state.switches
    return (not switches.auto_approve and switches.next_consent is None
            and switches.token_lifetime is None and switches.api_error is None
            and switches.latency_ms == 0 and mock.state.clock.offset == 0
            and mock.state.clients["demo-client"].client_secret == "demo-secret")


@pytest.fixture
def sent(security_report):
    yield
    security_report["cross-site requests to the mock's controls"] = (
        f"{REFUSED['sent']} sent, {REFUSED['cross-site']} refused")


def count(response):
    REFUSED["sent"] += 1
    REFUSED["cross-site"] += response.status_code in (400, 403, 415)
    return response


@pytest.mark.parametrize("path, body", CONTROLS)
def test_a_page_on_another_site_cannot_work_the_controls(getresponse_mock, sent, path, body):
    response = count(httpx.post(getresponse_mock.url + path, json=body, headers={"Origin": EVIL}))

    assert response.status_code == 403
    assert "Origin" in response.json()["error_description"]
    assert switches_untouched(getresponse_mock)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_controls_take_only_json_so_no_simple_cross_site_request_gets_through(
        getresponse_mock, sent, content_type):
    # What a `no-cors` fetch or a form may send, with no Origin (as an older browser might).
    headers = {"Content-Type": content_type} if content_type else {}
    response = count(httpx.post(getresponse_mock.url + "/_mock/consent",
                                content=b'{"auto_approve": true}', headers=headers))

    assert response.status_code == 415
    assert switches_untouched(getresponse_mock)


def test_demo_client_cannot_be_pointed_at_another_site(getresponse_mock, sent):
    count(httpx.post(getresponse_mock.url + "/_mock/clients", headers={"Origin": EVIL}, json={
        "client_id": "demo-client", "client_secret": "x", "redirect_uris": [EVIL + "/steal"]}))
    getresponse_mock.set_auto_approve(True)

    answer = httpx.get(getresponse_mock.authorize_url, params={
        "response_type": "token", "client_id": "demo-client", "redirect_uri": EVIL + "/steal",
        "state": "s"})

    assert answer.status_code == 400 and "location" not in answer.headers


def test_a_page_on_another_site_cannot_submit_the_consent_form(getresponse_mock, sent):
    response = count(httpx.post(getresponse_mock.authorize_url, headers={"Origin": EVIL}, data={
        "response_type": "token", "client_id": "demo-client", "state": "s",
        "redirect_uri": "http://127.0.0.1/cb", "decision": "allow"}))

    assert response.status_code == 403 and "location" not in response.headers


@pytest.mark.parametrize("host", ["evil.example", "evil.example:9400", "127.0.0.1.evil.example",
                                  "localhost.evil.example", "evil.example@127.0.0.1"])
def test_a_foreign_host_name_is_refused_against_dns_rebinding(getresponse_mock, sent, host):
    getresponse_mock.set_token_lifetime(77)  # a page that read the log would see this request

    response = count(httpx.get(getresponse_mock.url + "/_mock/requests", headers={"Host": host}))

    assert response.status_code == 400
    assert "--allow-host" in response.json()["error_description"]
    assert "requests" not in response.json()


@pytest.mark.parametrize("hosts", [("evil.example", "127.0.0.1"), ("127.0.0.1", "evil.example"),
                                   ("127.0.0.1", "127.0.0.1")])
def test_a_request_with_two_host_headers_is_refused(getresponse_mock, security_report, hosts):
    # RFC 9112 3.2: a server MUST answer 400 to more than one Host header field line. Served,
    # the first would name the host in the account's href and the last would pass the check.
    answer = raw_exchange(getresponse_mock.port, (
        "GET /v3/accounts HTTP/1.1\r\nHost: {}\r\nHost: {}\r\nX-Auth-Token: api-key {}\r\n"
        "Connection: close\r\n\r\n").format(*hosts, getresponse_mock.api_key).encode())

    TWO_HOSTS.append(answer[9:12].decode())
    security_report["requests with two Host headers"] = (
        f"{len(TWO_HOSTS)} sent, {TWO_HOSTS.count('400')} refused with 400")
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"more than one Host" in answer and b"evil" not in answer


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:8000", "http://localhost:3000",
                                    "http://[::1]:5173"])
def test_controls_answer_loopback_pages_and_programs(getresponse_mock, origin):
    headers = {"Origin": origin} if origin else {}

    response = httpx.post(getresponse_mock.url + "/_mock/consent", json={"auto_approve": True},
                          headers=headers)

    assert response.status_code == 200
    assert getresponse_mock.state.switches.auto_approve


@pytest.mark.parametrize("host", ["localhost:1234", "[::1]:80", "127.0.0.1"])
def test_loopback_host_names_are_served(getresponse_mock, host):
    response = httpx.get(getresponse_mock.url + "/_mock/requests", headers={"Host": host})

    assert response.status_code == 200


def test_a_container_name_and_an_app_origin_can_be_allowed():
    with run_mock_server(allowed_hosts=["mock"], allow_origins=["http://app:3000"]) as mock:
        served = httpx.post(mock.url + "/_mock/consent", json={"next": "deny"},
                            headers={"Host": "mock:9400", "Origin": "http://app:3000"})
        other = httpx.get(mock.url + "/_mock/requests", headers={"Host": "db:5432"})

    assert served.status_code == 200
    assert other.status_code == 400


# A text/plain form whose body reads as JSON: {"auto_approve": true, "x": "="}.
EVIL_PAGE = """<!doctype html><title>a page on another site</title>
<form id="consent" method="post" target="sink" enctype="text/plain">
<input name='{"auto_approve": true, "x": "' value='"}'></form>
<iframe name="sink"></iframe>"""


@pytest.fixture(scope="module")
def evil_site():
    """A page served on 127.0.0.1 that Chromium reaches as http://evil.example:PORT."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from implicitflow_testing import ServerThread

    app = Starlette(routes=[Route("/", lambda request: HTMLResponse(EVIL_PAGE))])
    with ServerThread(app) as server:
        yield server


@pytest.fixture(scope="module")
def browser_with_evil_dns(browser_type, browser_type_launch_args):
    """Chromium that resolves evil.example to 127.0.0.1, as a rebinding attacker's DNS would."""
    args = [*browser_type_launch_args.get("args", []), "--host-resolver-rules=MAP evil.example 127.0.0.1"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.mark.browser
def test_in_chromium_a_page_on_another_site_cannot_switch_the_mock(
        getresponse_mock, evil_site, browser_with_evil_dns, sent):
    page = browser_with_evil_dns.new_page()
    page.goto(f"http://evil.example:{evil_site.port}/")
    control = getresponse_mock.url + "/_mock/consent"

    page.evaluate("""async (url) => {
        for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
            await fetch(url, {method: "POST", mode: "no-cors", headers: {"Content-Type": type},
                              body: '{"auto_approve": true}'});
        }
        const form = document.getElementById("consent");
        form.action = url;
        form.submit();
    }""", control)
    page.wait_for_function("() => { try { return frames[0].location.href !== 'about:blank'; }"
                           " catch (e) { return true; } }")
    page.close()

    answers = [r["status"] for r in getresponse_mock.requests() if r["path"] == "/_mock/consent"]
    REFUSED["sent"] += len(answers)
    REFUSED["cross-site"] += answers.count(403)
    assert answers == [403, 403, 403]
    assert switches_untouched(getresponse_mock)


@pytest.mark.browser
def test_in_chromium_a_rebound_name_cannot_read_the_mock(getresponse_mock, browser_with_evil_dns,
                                                          sent):
    getresponse_mock.set_token_lifetime(77)
    page = browser_with_evil_dns.new_page()

    response = page.goto(f"http://evil.example:{getresponse_mock.port}/_mock/requests")

    REFUSED["sent"] += 1
    REFUSED["cross-site"] += response.status == 400
    assert response.status == 400
    assert "/_mock/" not in page.content()
    page.close()
