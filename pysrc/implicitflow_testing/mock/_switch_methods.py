"""The Python methods of the mock's switches, shared by `MockServer` and the audit's `RemoteMock`.

Written by `python -m implicitflow_testing.mock._switch_methods_writer` from the table in
`_controls.py`: do not edit; change the table and run that again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class SwitchMethods:
    """Each switch as a method. A subclass says how a control is called: `MockServer` calls the
    mock's state in-process, `RemoteMock` sends the control over HTTP; both return what the
    control answers, and both refuse a value the switch does not take (a ValueError)."""

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget clients, tokens, codes and the log; switches back to their defaults."""
        self._control("/_mock/reset", {})

    def register_client(self, client_id: str, client_secret: str, redirect_uris: Iterable[str],
                        name: str | None = None) -> None:
        """Register (or replace) a client that may use these redirect URIs; `name` is what the
        consent page calls it."""
        self._control("/_mock/clients", {"client_id": client_id, "client_secret": client_secret,
                                         "redirect_uris": redirect_uris, "name": name})

    def deny_next(self) -> None:
        """The next authorization is denied (as if the user clicked Deny)."""
        self._control("/_mock/consent", {"next": "deny"})

    def approve_next(self) -> None:
        """The next authorization is approved (as if the user clicked Allow)."""
        self._control("/_mock/consent", {"next": "allow"})

    def wrong_state_next(self) -> None:
        """The next authorization redirects with a state the client never sent."""
        self._control("/_mock/consent", {"next": "wrong_state"})

    def set_auto_approve(self, enabled: bool = True) -> None:
        """Approve every authorization without the consent page (until reset)."""
        self._control("/_mock/consent", {"auto_approve": enabled})

    def expire_tokens(self, access_token: str | None = None) -> int:
        """Expire one access token, or all; returns how many."""
        result: int = self._control("/_mock/tokens/expire", {"access_token": access_token})["expired"]
        return result

    def set_token_lifetime(self, seconds: int | None) -> None:
        """Lifetime of new tokens in seconds; None restores the seed's 3600 / 86400."""
        self._control("/_mock/token-lifetime", {"seconds": seconds})

    def fail_api(self, status: int, code: int, count: int = 1, message: str | None = None) -> None:
        """Answer the next `count` API calls with GetResponse's error body for `code` (status
        400-599)."""
        self._control("/_mock/api-error", {"status": status, "code": code, "count": count,
                                           "message": message})

    def set_latency(self, ms: int) -> None:
        """Hold every answer `ms` milliseconds (0 to 60000); an API call counts as in flight
        meanwhile."""
        self._control("/_mock/latency", {"ms": ms})

    def set_refresh_rotation(self, enabled: bool = True) -> None:
        """Each refresh issues a new refresh token and revokes the one used."""
        self._control("/_mock/refresh-rotation", {"enabled": enabled})

    def enforce_documented_limits(self, enabled: bool = True) -> None:
        """Answer 429 / 1015 past GetResponse's 80 calls a second or 10 simultaneous calls per
        account, so an app can test its back-off (the 30,000 per 10 minutes always applies)."""
        self._control("/_mock/documented-limits", {"enabled": enabled})

    def advance_clock(self, seconds: float) -> float:
        """Move the mock's clock `seconds` forward (the same as `clock.advance(seconds)`); returns
        its offset now. A browser's clock is its own: see the plugin's `shared_clock`."""
        result: float = self._control("/_mock/clock", {"advance": seconds})["offset"]
        return result

    def set_api_text(self, account: Mapping[str, str] | None = None,
                     from_field: Mapping[str, str] | None = None) -> None:
        """Answer these API text fields with this text (`{"firstName": "<b>x</b>"}` for the account,
        `{"name": ...}` for every from-field); no arguments restores the mock's own."""
        self._control("/_mock/api-text", {"account": account, "from_field": from_field})

    def requests(self) -> list[dict[str, Any]]:
        """The redacted request log, oldest first."""
        result: list[dict[str, Any]] = self._control("/_mock/requests", {"after": 0})["requests"]
        return result

    def requests_after(self, number: int) -> dict[str, Any]:
        """The log after entry `number`: {"requests", "newest", "lost"} (see
        `_request_log.entries_after`)."""
        return self._control("/_mock/requests", {"after": number})
