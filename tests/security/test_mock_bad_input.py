"""Any request shape gets a 4xx with a readable body, never a 5xx, and the server keeps serving."""

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mock.helpers import code_grant_tokens

PATHS = ["/oauth2_authorize.html", "/v3/token", "/v3/accounts", "/v3/from-fields",
         "/v3/contacts", "/_mock/consent", "/_mock/clients", "/_mock/api-error",
         "/_mock/tokens/expire", "/_mock/token-lifetime", "/_mock/latency", "/nothing"]
KEYS = ["response_type", "client_id", "redirect_uri", "state", "grant_type", "code",
        "refresh_token", "decision", "page", "perPage", "scope", "client_secret"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/json", "text/plain",
                 "multipart/form-data; boundary=x", "", "application/x-www-form-urlencoded; charset=latin-1"]

text = st.text(max_size=40)
header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=40)
percent_junk = st.lists(st.integers(0, 255), max_size=6).map(
    lambda bs: "".join(f"%{b:02X}" for b in bs))
value = st.one_of(text, percent_junk, st.sampled_from(["token", "code", "demo-client",
                                                        "authorization_code", "client_credentials",
                                                        "allow", "deny", "http://127.0.0.1/cb"]))
pairs = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), text), value), max_size=8)


def raw_query(items):
    from urllib.parse import quote

    return "&".join(quote(k, safe="%") + "=" + quote(v, safe="%") for k, v in items)


CLIENT = httpx.Client(timeout=10)
requests_shape = st.fixed_dictionaries({
    "method": st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    "path": st.sampled_from(PATHS),
    "query": pairs.map(raw_query),
    "body": st.one_of(st.binary(max_size=200), pairs.map(lambda p: raw_query(p).encode()),
                      st.just(b"{\"next\": \"deny\"}"), st.just(b"x" * 70000)),
    "content_type": st.sampled_from(CONTENT_TYPES),
    "authorization": st.one_of(st.none(), st.just("Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="),
                               st.just("Basic !!!"), st.just("Bearer"),
                               header_text.map(lambda t: "Bearer " + t)),
})


EXAMPLES = 600
STATUSES = {}


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=requests_shape)
def test_no_request_shape_gets_a_server_error(getresponse_mock, shape):
    headers = {"Content-Type": shape["content_type"]} if shape["content_type"] else {}
    if shape["authorization"] is not None:
        headers["Authorization"] = shape["authorization"]
    url = getresponse_mock.url + shape["path"] + ("?" + shape["query"] if shape["query"] else "")
    with_body = shape["method"] != "GET"

    response = CLIENT.request(shape["method"], url, headers=headers,
                              content=shape["body"] if with_body else None)

    STATUSES[response.status_code] = STATUSES.get(response.status_code, 0) + 1
    assert response.status_code < 500, (shape, response.text[:500])
    assert response.text, "an error must say what was wrong"


@pytest.mark.parametrize("path, query, data", [
    ("/oauth2_authorize.html", "response_type=%1F", None),
    ("/oauth2_authorize.html", "response_type=token&client_id=%00", None),
    ("/v3/token", "", {"grant_type": "\x1f"}),
])
def test_control_characters_echoed_into_errors_are_a_4xx(getresponse_mock, path, query, data):
    response = httpx.request("POST" if data else "GET", getresponse_mock.url + path + "?" + query,
                             data=data, auth=("demo-client", "demo-secret"))

    assert 400 <= response.status_code < 500 or response.status_code == 302


def test_server_still_runs_a_normal_flow_after_garbage(getresponse_mock, security_report):
    with httpx.Client(base_url=getresponse_mock.url) as http:
        for junk in (b"\xff\xfe", b"grant_type=%ZZ", b"a" * 70000):
            http.post("/v3/token", content=junk,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        tokens = code_grant_tokens(http)
        response = http.get("/v3/accounts", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert response.status_code == 200
    security_report["malformed requests to the mock (hypothesis)"] = (
        f"{sum(STATUSES.values())} sent, statuses {dict(sorted(STATUSES.items()))}, "
        f"0 answered 5xx, normal flow still served")
