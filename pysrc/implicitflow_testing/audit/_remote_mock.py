"""A mock GetResponse running elsewhere (another process, the `implicitflow-mock` CLI), driven
through its HTTP controls under /_mock/ with the same method names as `MockServer`."""

import html
import re
from typing import Any

import httpx

from implicitflow_testing.mock._controls import BY_PATH
from implicitflow_testing.mock._state import ControlRefused
from implicitflow_testing.mock._switch_methods import SwitchMethods


def error_page_fields(body):
    """(error, error description) from the mock's authorization error page; "" where absent."""
    found = dict(re.findall(r'<p id="(error|error-description)">([^<]*)</p>', body or ""))
    return (html.unescape(found.get("error", "")).strip(),
            html.unescape(found.get("error-description", "")).strip())


class MockUnreachable(RuntimeError):
    """The mock's controls did not answer: the message says which URL and why."""


class RemoteMock(SwitchMethods):
    """`MockServer`'s switches over HTTP (the methods of `SwitchMethods`), and a probe."""

    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout)

    @property
    def authorize_url(self):
        return self.url + "/oauth2_authorize.html"

    @property
    def api_base(self):
        return self.url + "/v3"

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One of the controls under /_mock/ (the table in mock._controls); a value the switch
        does not take (400) raises ControlRefused, as `MockServer` does."""
        control = BY_PATH[path]
        query = control.method == "GET"
        try:
            answer = self._client.request(control.method, path, params=body if query else None,
                                          json=None if query else body)
        except httpx.HTTPError as error:
            raise MockUnreachable(f"the mock at {self.url} did not answer {path}: {error}") from None
        if answer.status_code == 400 and answer.headers.get("content-type", "").startswith(
                "application/json"):
            raise ControlRefused(answer.json().get("error_description", answer.text[:200]))
        if answer.status_code != control.status:
            raise MockUnreachable(f"the mock at {self.url} answered {path} with "
                                  f"{answer.status_code}: {answer.text[:200]}")
        result: dict[str, Any] = answer.json()
        return result

    def authorize_probe(self, client_id, redirect_uri):
        """Ask the mock's authorize URL, as an app's sign-in would, without following it:
        (status, error, error description) of its answer (an error page names both)."""
        try:
            answer = self._client.get("/oauth2_authorize.html", params={
                "response_type": "token", "client_id": client_id, "redirect_uri": redirect_uri,
                "state": "implicitflow-audit-client-probe"})
        except httpx.HTTPError as error:
            raise MockUnreachable(f"the mock at {self.url} did not answer its authorize URL: "
                                  f"{error}") from None
        return (answer.status_code, *error_page_fields(answer.text))

    def close(self):
        self._client.close()
