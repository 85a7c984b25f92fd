"""A mock GetResponse running elsewhere (another process, the `implicitflow-mock` CLI), driven
through its HTTP controls under /_mock/ with the same method names as `MockServer`."""

import httpx


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

    def _call(self, method, path, body=None):
        try:
            answer = self._client.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise MockUnreachable(f"the mock at {self.url} did not answer {path}: {error}") from None
        if answer.status_code != 200:
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

    def requests(self):
        return self._call("GET", "/_mock/requests")["requests"]

    def requests_after(self, number):
        """The log after entry `number`: {"requests", "newest", "lost"} (see `entries_after`)."""
        return self._call("GET", f"/_mock/requests?after={int(number)}")

    def close(self):
        self._client.close()
