import pytest

from implicitflow import ImplicitFlow, getresponse

from .fake_browser import FakeBrowser

REDIRECT_URI = "https://app.example/callback"


@pytest.fixture
def browser():
    return FakeBrowser()


@pytest.fixture
def provider():
    return getresponse(client_id="demo-client", redirect_uri=REDIRECT_URI)


@pytest.fixture
def flow(browser, provider):
    return ImplicitFlow(provider, environment=browser)


def state_of(url):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)["state"][0]


def return_from_provider(browser, flow, fragment=None, **fields):
    """Start a login, then arrive back with `fragment` (built from `fields` when not given)."""
    from urllib.parse import urlencode

    flow.login(return_to=fields.pop("return_to", None))
    state = state_of(browser.navigations[-1])
    if fragment is None:
        values = {"access_token": "tok-123", "state": state, "token_type": "bearer",
                  "expires_in": "3600"}
        values.update(fields)
        fragment = urlencode({k: v for k, v in values.items() if v is not None})
    browser.arrive(REDIRECT_URI + "#" + fragment)
    return state
