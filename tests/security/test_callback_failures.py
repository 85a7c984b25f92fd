"""The callback scrubs the fragment before anything can fail, and every failure is typed:
page content that clobbers names, stored records that cannot be read, provider errors
carrying markup or control characters."""

import pytest

from implicitflow import AuthorizationDeniedError, getresponse
from implicitflow.token import TOKEN_PREFIX


def answer_url(flow_page, state):
    return f"{flow_page.url}#access_token=tok-123&token_type=bearer&expires_in=3600&state={state}"


def started_login(flow_page):
    flow_page.open()
    flow_page.page.evaluate("() => { window.startLogin() }")
    flow_page.page.wait_for_url(flow_page.mock.authorize_url + "*")
    return flow_page.page.url.split("state=")[1].split("&")[0]


@pytest.mark.browser
@pytest.mark.parametrize("content", ['<div id="__implicitflowFragment"></div>',
                                     '<form name="__implicitflowFragment"></form>',
                                     '<img name="sessionStorage">'])
def test_page_content_that_clobbers_names_cannot_stop_the_callback(flow_page, content,
                                                                 security_report):
    flow_page.configure(pageContent=content)
    state = started_login(flow_page)

    outcome = flow_page.open(answer_url(flow_page, state))

    assert outcome == "login None"
    assert "#" not in flow_page.page.url
    assert flow_page.has_token()
    name = "DOM-clobbering payloads on the callback page, callbacks broken"
    tried = security_report.get(name, "0, 0").split(",")[0]
    security_report[name] = f"{int(tried) + 1}, 0"


@pytest.mark.browser
def test_an_unreadable_stored_token_is_dropped_and_the_answer_still_handled(flow_page):
    key = TOKEN_PREFIX + getresponse("demo-client", flow_page.url,
                                     authorize_url=flow_page.mock.authorize_url).token_key
    state = started_login(flow_page)
    flow_page.open()
    flow_page.page.evaluate("k => sessionStorage.setItem(k, 'access_token=%F4%90%80%80&"
                            "token_type=bearer&expires_at=9e12')", key)

    outcome = flow_page.open(answer_url(flow_page, state))

    assert outcome == "login None"
    assert "#" not in flow_page.page.url
    assert flow_page.events() == ["error", "login"]
    assert flow_page.has_token()


@pytest.mark.parametrize("error, description", [
    ("<img src=x onerror=alert(1)>", "a\r\nb"), ("access_denied", "\u202egnp.exe"),
    ("access_denied\x00", "<script>alert(1)</script>")])
def test_a_denial_message_escapes_what_the_provider_sent(error, description):
    message = str(AuthorizationDeniedError(error, description))

    assert not any(char in message for char in "<>\r\n\x00\u202e")
    assert message.startswith("The provider refused the authorization: ")
