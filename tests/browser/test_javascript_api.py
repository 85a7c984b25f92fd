"""window.implicitflow: the same flow for a plain JavaScript app."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def js_page(flow_page):
    flow_page.url = flow_page.site.url + "/test/plain.html"
    return flow_page


def test_ready_promise_and_event_announce_the_api(js_page):
    js_page.page.add_init_script(
        "addEventListener('implicitflow:ready', () => { window.readyEventSeen = true; });")

    assert js_page.open() is None
    assert js_page.page.evaluate("window.readyEventSeen") is True
    assert js_page.page.evaluate("typeof implicitflow.create") == "function"


@pytest.mark.engines()
def test_sign_in_and_call_the_api_from_javascript(js_page):
    js_page.open()
    js_page.page.evaluate("flow.login({returnTo: '/inbox'})")
    js_page.page.get_by_role("button", name="Allow").click()

    outcome = js_page.arrived()

    assert outcome["returnTo"] == "/inbox" and outcome["tokenType"] == "bearer"
    assert len(outcome["accessToken"]) == 40
    assert outcome["expiresAt"] > js_page.page.evaluate("Date.now()")
    token = js_page.page.evaluate("flow.token()")
    assert token["accessToken"] == outcome["accessToken"]
    assert js_page.page.evaluate("window.jsEvents") == ["login"]
    assert "#" not in js_page.page.url

    account = js_page.page.evaluate("flow.fetch('/accounts')")
    assert account["accountId"] == "VfEy1"
    fields = js_page.page.evaluate("flow.fetch('/from-fields?perPage=2')")
    assert [field["fromFieldId"] for field in fields] == ["TTzW", "TTz2"]


@pytest.mark.engines()
def test_errors_reject_with_name_and_fields(js_page):
    outcome = js_page.open(js_page.url + "#access_token=t&token_type=bearer&state=" + "c" * 64)

    rejected = outcome["rejected"]
    assert rejected["name"] == "StateMismatchError" and rejected["reason"] == "unknown"
    assert rejected["message"]
    assert js_page.page.evaluate("flow.token()") is None


def test_fetch_without_a_token_rejects_with_login_required(js_page):
    js_page.open()

    error = js_page.page.evaluate("flow.fetch('/accounts').then(() => null, e => e)")

    assert error["name"] == "LoginRequiredError"


def test_logout_from_javascript(js_page):
    js_page.open()
    js_page.page.evaluate("flow.login()")
    js_page.page.get_by_role("button", name="Allow").click()
    js_page.arrived()

    js_page.page.evaluate("flow.logout()")

    assert js_page.page.evaluate("flow.token()") is None
    assert js_page.page.evaluate("window.jsEvents") == ["login", "logout"]


def test_the_readme_brython_example_signs_in(flow_page):
    flow_page.url = flow_page.site.url + "/test/readme.html"
    flow_page.open()
    flow_page.page.get_by_role("button", name="Sign in with GetResponse").click()
    flow_page.page.get_by_role("button", name="Allow").click()
    flow_page.page.wait_for_url(flow_page.site.url + "/test/readme.html")
    flow_page.watch.wait_for_flag("pythonDone")

    flow_page.page.wait_for_function("document.getElementById('who').textContent.includes('@')")
    assert flow_page.page.locator("#who").inner_text() == "ada.lovelace@example.com"


def test_event_payloads_never_carry_the_token(js_page):
    # An app's handler that logs what it gets: the token must not reach the console.
    js_page.page.add_init_script("""
      window.payloads = [];
      addEventListener("implicitflow:ready", () => {
        const create = implicitflow.create;
        implicitflow.create = (options) => {
          const flow = create(options);
          for (const name of ["login", "expiring"]) {
            flow.on(name, (payload) => {
              console.log(name, payload, JSON.stringify(payload));
              window.payloads.push([name, payload]);
            });
          }
          return flow;
        };
      });""")
    console = []
    js_page.page.on("console", lambda message: console.append(message.text))
    js_page.open()
    js_page.page.evaluate("flow.login()")
    js_page.page.get_by_role("button", name="Allow").click()
    token = js_page.arrived()["accessToken"]
    js_page.page.evaluate("flow.token()")  # the way to the token is a call that names it

    [(name, payload)] = js_page.page.evaluate("window.payloads")
    assert name == "login"
    assert sorted(payload) == ["expiresAt", "scope", "tokenType"]
    assert payload["expiresAt"] > js_page.page.evaluate("Date.now()")
    assert any(line.startswith("login ") for line in console)
    assert not [line for line in console if token in line]


def test_an_error_event_carries_the_error_as_plain_data(js_page):
    js_page.page.route("**/api/getresponse/offline", lambda route: route.abort())
    js_page.open()
    js_page.page.evaluate("flow.login()")
    js_page.page.get_by_role("button", name="Allow").click()
    js_page.arrived()

    seen = js_page.page.evaluate("""async () => {
      let event = null;
      flow.on("error", (error) => { event = error; });
      const rejected = await flow.fetch("/offline").then(() => null, (error) => error);
      return {event, same: JSON.stringify(event) === JSON.stringify(rejected),
              plain: Object.getPrototypeOf(event) === Object.prototype};
    }""")

    assert seen["event"]["name"] == "NetworkError" and seen["event"]["kind"] == "network_error"
    assert seen["same"] is True and seen["plain"] is True
