"""The JavaScript API behaves like JavaScript: API data exactly as JSON.parse makes it, and
synchronous failures thrown as Error objects with name, kind and message, with no Python
traceback in the console."""

import json

import pytest

pytestmark = pytest.mark.browser

#: A body whose JSON.parse differs from rebuilding it key by key from Python data.
PROFILE = '{"profile": {"__proto__": {"verified": true}, "name": "Ada"}, "big": 12345678901234567890}'

CATCH = """(call) => { try { new Function(call)(); return "no error"; } catch (error) {
  return {isError: error instanceof Error, name: error.name, kind: error.kind,
          message: error.message}; } }"""


@pytest.fixture
def js_page(flow_page):
    flow_page.url = flow_page.site.url + "/test/plain.html"
    return flow_page


def signed_in(js_page):
    js_page.open()
    js_page.page.evaluate("flow.login()")
    js_page.page.get_by_role("button", name="Allow").click()
    return js_page.arrived()


def test_fetch_gives_javascript_what_json_parse_makes_of_the_body(js_page):
    js_page.page.route("**/api/getresponse/profile", lambda route: route.fulfill(
        status=200, content_type="application/json", body=PROFILE))
    signed_in(js_page)

    seen = js_page.page.evaluate("""async (body) => {
      const data = await flow.fetch("/profile"), parsed = JSON.parse(body);
      return {verified: String(data.profile.verified), plainObject:
                Object.getPrototypeOf(data.profile) === Object.prototype,
              keys: Object.keys(data.profile), same: JSON.stringify(data) === JSON.stringify(parsed),
              bigType: typeof data.big};
    }""", PROFILE)

    assert seen == {"verified": "undefined", "plainObject": True, "keys": ["__proto__", "name"],
                    "same": True, "bigType": "number"}


@pytest.mark.parametrize("call, name, kind", [
    ("flow.login({returnTo: 'https://evil.example/'})", "UnsafeReturnToError", "unsafe_return_to"),
    ("flow.on('nonsense', () => {})", "ConfigurationError", "configuration_error"),
    ("implicitflow.create({clientId: 'c', redirectUri: location.href, storage: 'cookie'})",
     "ConfigurationError", "configuration_error"),
    ("implicitflow.create({clientId: 'c', redirectUri: location.href, apiBase: 'http://x.example'})",
     "ConfigurationError", "configuration_error"),
    ("implicitflow.create({provider: {authorizeUrl: 'https://a.example/auth', scope: 7},"
     " clientId: 'c', redirectUri: location.href})", "ConfigurationError", "configuration_error"),
])
def test_synchronous_failures_are_errors_without_a_traceback(js_page, call, name, kind,
                                                            security_report):
    js_page.open()

    thrown = js_page.page.evaluate(CATCH, call)

    assert thrown["isError"] is True and (thrown["name"], thrown["kind"]) == (name, kind)
    assert thrown["message"]
    assert not [line for line in js_page.watch.console if "Traceback" in line]
    assert js_page.page.url == js_page.url
    label = "JavaScript calls failing at once: thrown as Error, no traceback"
    security_report[label] = security_report.get(label, 0) + 1


def test_a_full_storage_is_a_storage_error(js_page):
    js_page.open()
    js_page.page.evaluate("""() => { const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (key.startsWith("implicitflow.")) { throw new DOMException("full", "QuotaExceededError"); }
        return setItem.call(this, key, value); }; }""")

    thrown = js_page.page.evaluate(CATCH, "flow.login()")

    assert (thrown["isError"], thrown["name"], thrown["kind"]) == (True, "StorageError",
                                                                   "storage_error")
    assert "QuotaExceededError" in thrown["message"]
    assert js_page.page.url == js_page.url


def test_blocked_storage_is_a_storage_error(js_page):
    js_page.open()
    js_page.page.evaluate("""() => Object.defineProperty(window, "sessionStorage", {
      get() { throw new DOMException("blocked", "SecurityError"); } })""")

    thrown = js_page.page.evaluate(
        CATCH, "implicitflow.create({clientId: 'c', redirectUri: location.href})")

    assert (thrown["name"], thrown["kind"]) == ("StorageError", "storage_error")
    assert "SecurityError" in thrown["message"]


def test_a_generic_provider_sets_its_scopes_and_default_lifetime(js_page, getresponse_mock):
    authorize = getresponse_mock.authorize_url + "?tenant=other"  # not the page's own provider
    asked = []
    js_page.page.route(authorize + "*", lambda route: (
        asked.append(route.request.url), route.fulfill(body="a provider's consent page")))
    js_page.open()
    js_page.page.evaluate("""(authorizeUrl) => {
      window.generic = implicitflow.create({clientId: "demo-client",
        redirectUri: location.origin + location.pathname,
        provider: {authorizeUrl, apiBase: "/api", scope: ["profile", "email"],
                   defaultExpiresIn: 120}});
      window.generic.login(); }""", authorize)
    js_page.page.wait_for_url(authorize + "*")
    assert asked[0].endswith("&scope=profile%20email")
    state = asked[0].split("state=")[1].split("&")[0]
    js_page.open(f"{js_page.url}#access_token=t0k&token_type=bearer&state={state}")

    expires_in = js_page.page.evaluate("""async (authorizeUrl) => {
      const generic = implicitflow.create({clientId: "demo-client",
        redirectUri: location.origin + location.pathname,
        provider: {authorizeUrl, apiBase: "/api", defaultExpiresIn: 120}});
      return (await generic.handleRedirect()).expiresAt - Date.now(); }""", authorize)
    assert 100_000 < expires_in <= 120_000


#: What a polluting library puts on Object.prototype once the API is ready (before the page
#: calls create()): options the app leaves out must not be read from it.
POLLUTE = """addEventListener("implicitflow:ready", () => {
  const pollution = {apiBase: "https://evil.example/api", headers: {"X-Polluted": "yes"},
                     storage: "local", issuer: "https://evil.example", x: 1};
  for (const [name, value] of Object.entries(pollution)) {
    if (%s) { Object.prototype[name] = value; }
    else { Object.defineProperty(Object.prototype, name, {value, writable: true, configurable: true}); }
  }
});"""


@pytest.mark.parametrize("enumerable", [True, False], ids=["assigned", "defined"])
def test_a_polluted_object_prototype_is_not_read_as_options(js_page, enumerable,
                                                             security_report):
    js_page.page.add_init_script(POLLUTE % ("true" if enumerable else "false"))
    requests = []
    js_page.page.on("request", lambda request: requests.append(request))
    js_page.page.route("https://api.getresponse.com/**", lambda route: route.fulfill(
        status=200, json={"accountId": "direct"}, headers={"Access-Control-Allow-Origin": "*"}))
    signed_in(js_page)

    seen = js_page.page.evaluate("""async () => {
      const direct = implicitflow.create({clientId: "demo-client", authorizeUrl: testConfig.authorizeUrl,
                                          redirectUri: location.origin + location.pathname});
      const calls = [(await flow.fetch("/accounts", {method: "GET"})).accountId,
                     await direct.fetch("/accounts").then((data) => data.accountId, (error) => error.kind)];
      return {calls, token: Boolean(flow.token()), events: jsEvents,
              local: Object.keys(localStorage).filter((key) => key.startsWith("implicitflow"))};
    }""")

    assert seen == {"calls": ["VfEy1", "direct"], "token": True,
                    "events": ["login"], "local": []}
    sent_token = [request for request in requests if "authorization" in request.headers]
    assert {request.url.split("/accounts")[0] for request in sent_token} == {
        js_page.site.url + "/api/getresponse", "https://api.getresponse.com/v3"}
    assert not [request for request in requests if "evil.example" in request.url
                or "x-polluted" in request.headers]
    label = "polluted Object.prototype (apiBase, headers, storage, issuer; assigned or defined)"
    security_report[label] = ("token sent only to the configured API, create(), handleRedirect, "
                              "fetch and events work")


#: An error body whose fields hold objects with a `__proto__` key.
QUOTA = ('{"httpStatus": 429, "code": 1015, "message": "Quota reached",'
         ' "moreInfo": {"__proto__": {"hoisted": true}, "page": "quota"},'
         ' "context": {"timeToReset": {"__proto__": {"hoisted": true}}}}')


def test_a_proto_key_in_an_error_body_reaches_no_error_field(js_page, security_report):
    js_page.page.route("**/api/getresponse/quota", lambda route: route.fulfill(
        status=429, content_type="application/json", body=QUOTA))
    signed_in(js_page)

    seen = js_page.page.evaluate("""async () => {
      const error = await flow.fetch("/quota").then(() => null, (error) => error);
      return {kind: error.kind, code: error.code, moreInfo: error.more_info, reset: error.reset,
              plain: Object.getPrototypeOf(error) === Object.prototype,
              hoisted: "hoisted" in error || JSON.stringify(error).includes("hoisted")};
    }""")

    assert seen == {"kind": "rate_limited", "code": 1015, "moreInfo": None, "reset": None,
                    "plain": True, "hoisted": False}
    security_report["API error fields holding a __proto__ object"] = "dropped, nothing hoisted"


def test_error_fields_are_what_json_parse_makes_of_the_body(js_page):
    body = '{"httpStatus": 400, "code": 12345678901234567890, "message": "Bad request"}'
    js_page.page.route("**/api/getresponse/big", lambda route: route.fulfill(
        status=400, content_type="application/json", body=body))
    signed_in(js_page)

    seen = js_page.page.evaluate("""async (body) => {
      const error = await flow.fetch("/big").then(() => null, (error) => error);
      return {same: error.code === JSON.parse(body).code, logged: JSON.stringify(error).length > 0};
    }""", body)

    assert seen == {"same": True, "logged": True}


def echo_credential(route):
    """An API that quotes the credential it was sent back in its errors, bare and whole."""
    sent = route.request.headers["authorization"]
    route.fulfill(status=401, content_type="application/json", body=json.dumps({
        "httpStatus": 401, "code": 1014, "message": f"token {sent[7:]} refused ({sent})",
        "moreInfo": f"https://docs.example/?token={sent[7:]}"}))


def test_a_credential_the_api_echoes_is_redacted_from_the_error(js_page, security_report):
    js_page.page.route("**/api/getresponse/echo", echo_credential)
    token = signed_in(js_page)["accessToken"]

    error = js_page.page.evaluate("flow.fetch('/echo').then(() => null, (error) => error)")

    assert error["kind"] == "token_expired" and "[redacted]" in error["message"]
    assert not [name for name, value in error.items() if token in str(value)]
    security_report["API errors echoing the token, seen from JavaScript"] = (
        "token redacted from message and every field")
