import httpx
import pytest

REDIRECT_URI = "http://127.0.0.1:8000/callback"


@pytest.fixture
def http(getresponse_mock):
    """An httpx client on the mock that does not follow redirects."""
    with httpx.Client(base_url=getresponse_mock.url, timeout=10) as client:
        yield client


def authorize_params(**overrides):
    params = {"response_type": "token", "client_id": "demo-client",
              "redirect_uri": REDIRECT_URI, "state": "xyz"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}
