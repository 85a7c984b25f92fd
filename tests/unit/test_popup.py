"""Popup sign-in against a stand-in page: the opener's side and the popup callback's side."""

from urllib.parse import urlencode

import pytest

from implicitflow import (
    ConfigurationError,
    ImplicitFlow,
    PopupBlockedError,
    PopupTimeoutError,
    StateMismatchError,
)
from implicitflow.popup import ANSWER_PREFIX

from .conftest import REDIRECT_URI, state_of
from .fake_browser import derive_names
from .test_flow import run


def answer(state, token="tok-123"):
    return "#" + urlencode({"access_token": token, "token_type": "bearer", "state": state})


def test_the_answer_for_this_logins_state_signs_in(flow, browser):
    def answers_when_opened(popup, url):  # a forged answer for another state comes first
        browser.popup_answers = [answer("e" * 64, "forged"), answer(state_of(url))]

    browser.popup_went_to = answers_when_opened

    result = run(flow.login_popup(return_to="/inbox"))

    assert result.token.access_token == "tok-123" and result.return_to == "/inbox"
    assert flow.token == result.token and browser.navigations == []
    assert not [k for k in browser.local.keys() if k.startswith("implicitflow.popup.")]


def test_a_blocked_popup_leaves_no_pending_login(flow, browser):
    browser.blocks_popups = True

    with pytest.raises(PopupBlockedError, match="click"):
        run(flow.login_popup())
    assert browser.session.keys() == [] and browser.local.keys() == []


def test_no_answer_is_a_timeout_and_forgets_the_login(flow, browser):
    with pytest.raises(PopupTimeoutError):
        run(flow.login_popup(timeout=1))
    assert not [k for k in browser.session.keys() if k.startswith("implicitflow.pending.")]
    assert [popup.closed() for popup in browser.opened_popups] == [True]


@pytest.mark.parametrize("timeout", ["soon", None, 0, -5, float("nan"), True, float("inf"),
                                     2_147_484, pytest.param(10**400, id="10**400")])
def test_a_timeout_that_is_not_a_number_of_seconds_a_timer_can_wait_opens_nothing(
        flow, browser, timeout):
    with pytest.raises(ConfigurationError, match="timeout"):
        run(flow.login_popup(timeout=timeout))
    assert browser.opened_popups == () and browser.session.keys() == [] == browser.local.keys()


def test_the_longest_timer_is_accepted(flow, browser):
    with pytest.raises(PopupTimeoutError):
        run(flow.login_popup(timeout=2_147_483))


def test_any_failure_while_waiting_closes_the_popup_and_forgets_the_login(flow, browser):
    async def fails(popup, channel, is_ours, timeout):
        raise RuntimeError("the browser threw")

    browser.popup_answer = fails

    with pytest.raises(RuntimeError):
        run(flow.login_popup())
    assert [popup.closed() for popup in browser.opened_popups] == [True]
    assert browser.session.keys() == [] and browser.local.keys() == []


def test_the_popups_callback_hands_the_answer_to_its_opener(flow, browser, provider):
    def the_provider_answers(popup, url):
        popup.browser.arrive(REDIRECT_URI + answer(state_of(url)))
        assert ImplicitFlow(provider, environment=popup.browser).handle_redirect() is None
        browser.popup_answers = [m[len(ANSWER_PREFIX):] for _, m in popup.browser.sent_to_opener]

    browser.popup_went_to = the_provider_answers

    result = run(flow.login_popup())

    assert result.token.access_token == "tok-123"
    popup = browser.opened_popups[0].browser
    assert "#" not in popup.url and popup.session.keys() == []  # nothing of it kept in the popup
    assert [channel for channel, _ in popup.sent_to_opener] == list(browser.popup_channels)


def test_the_mark_and_the_channel_have_derived_names_that_give_no_state_away(flow, browser):
    seen = {}

    def look(popup, url):
        seen["state"], seen["keys"] = state_of(url), browser.local.keys()

    browser.popup_went_to = look
    with pytest.raises(PopupTimeoutError):
        run(flow.login_popup())

    state, (key,), (channel,) = seen["state"], seen["keys"], browser.popup_channels
    names = derive_names(state)
    assert (key, channel) == ("implicitflow.popup." + names[:64], "implicitflow.popup." + names[64:])
    assert state not in key + channel


@pytest.mark.parametrize("state", [None, "", "e" * 63, "e" * 65, "E" * 64, "é" * 64, "g" * 64])
def test_an_answer_whose_state_cannot_be_ours_is_no_popups(flow, browser, state):
    fragment = "#" + urlencode({"access_token": "t", "token_type": "bearer", "state": state or ""})
    browser.arrive(REDIRECT_URI + fragment)

    with pytest.raises(StateMismatchError):
        flow.handle_redirect()
    assert browser.sent_to_opener == ()


def consent_after_the_opener_gave_up(flow, browser, provider):
    """The opener times out; then the user allows in the popup, still open (COOP cut it off)."""
    with pytest.raises(PopupTimeoutError):
        run(flow.login_popup())
    popup = browser.opened_popups[0]
    popup.browser.arrive(REDIRECT_URI + answer(state_of(popup.browser.url)))
    with pytest.raises(StateMismatchError) as refused:
        ImplicitFlow(provider, environment=popup.browser).handle_redirect()
    for tab in browser, popup.browser:
        assert ImplicitFlow(provider, environment=tab).token is None
        assert not [k for k in tab.session.keys() if k.startswith("implicitflow.token.")]
    return popup.browser, refused.value.reason


def test_the_popup_gets_no_copy_of_its_login_so_it_cannot_sign_in_alone(flow, browser, provider):
    popup, reason = consent_after_the_opener_gave_up(flow, browser, provider)

    assert reason == "unknown"  # the popup's sessionStorage never held the login


def test_a_popup_holding_a_copy_of_its_login_refuses_it_and_closes(flow, browser, provider):
    def copies_the_session_late(popup, url):  # a browser that copies when the popup navigates
        for key in browser.session.keys():
            popup.browser.session.set(key, browser.session.get(key))

    browser.popup_went_to = copies_the_session_late

    popup, reason = consent_after_the_opener_gave_up(flow, browser, provider)

    assert reason == "abandoned" and popup.window_closed
    assert not [k for k in popup.session.keys() if k.startswith("implicitflow.pending.")]

