"""A mock GetResponse running elsewhere (another process, the `implicitflow-mock` CLI), driven
through its HTTP controls under /_mock/ with the same method names as `MockServer`."""

import html
import re

import httpx


def error_page_fields(body):
    """(error, error description) from the mock's authorization error page; "" where absent."""
    found = dict(re.findall(r'<p id="(error|error-description)">([^<]*)</p>', body or ""))
    return (html.unescape(found.get("error", "")).strip(),
            html.unescape(found.get("error-description", "")).strip())


class MockUnreachable(RuntimeError):
    """The mock's controls did not answer: the message says which URL and why."""


class RemoteMock:
    """The subset of `MockServer` the audit uses, over HTTP."""

    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self._client = httpx.Client(base_url=self.url, timeout=timeout)

    @property
    def authorize_url(self):
        return self.url + "/oauth2_authorize.html"

    @property
    def api_base(self):
        return self.url + "/v3"

    def _call(self, method, path, body=None, expect=200):
        try:
            answer = self._client.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise MockUnreachable(f"the mock at {self.url} did not answer {path}: {error}") from None
        if answer.status_code != expect:
            raise MockUnreachable(f"the mock at {self.url} answered {path} with "
                                  f"{answer.status_code}: {answer.text[:200]}")
        return answer.json()

    def approve_next(self):
        self._call("POST", "/_mock/consent", {"next": "allow"})

    def deny_next(self):
        self._call("POST", "/_mock/consent", {"next": "deny"})

    def expire_tokens(self, access_token=None):
        body = {} if access_token is None else {"access_token": access_token}
        return self._call("POST", "/_mock/tokens/expire", body)["expired"]

    def register_client(self, client_id, client_secret, redirect_uris, name=None):
        self._call("POST", "/_mock/clients", {"client_id": client_id, "client_secret": client_secret,
                                              "name": name or client_id,
                                              "redirect_uris": list(redirect_uris)}, expect=201)

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

    def set_api_text(self, account=None, from_field=None):
        texts = {kind: dict(values) for kind, values in
                 (("account", account), ("from_field", from_field)) if values}
        self._call("POST", "/_mock/api-text", texts)

    def requests(self):
        return self._call("GET", "/_mock/requests")["requests"]

    def requests_after(self, number):
        """The log after entry `number`: {"requests", "newest", "lost"} (see `entries_after`)."""
        return self._call("GET", f"/_mock/requests?after={int(number)}")

    def close(self):
        self._client.close()
