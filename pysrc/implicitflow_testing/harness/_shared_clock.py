"""One clock for a browser page and the mock, for testing what an app does as its token nears
and passes expiry (an "expires soon" banner, a sign-out) without waiting.

The mock's clock (`getresponse_mock.clock.advance()`) decides when it answers a token as expired;
the page's timers and `Date.now()` are the browser's, which only Playwright's clock moves.
`SharedClock.run_for(seconds)` moves both.
"""

from __future__ import annotations

from typing import Any, Protocol


class _MovableMock(Protocol):
    def advance_clock(self, seconds: float) -> float: ...


class SharedClock:
    """A Playwright page's clock and a mock's, moved together.

        shared_clock.install()      # before the page loads (the plugin's fixture does this)
        ...sign in...
        shared_clock.run_for(30)    # the page's timers due in 30 s fire; the mock is 30 s on
    """

    def __init__(self, page: Any, mock: _MovableMock) -> None:
        self.page = page
        self.mock = mock

    def install(self) -> None:
        """Give the page Playwright's fake clock; call it before the page loads."""
        self.page.clock.install()

    def run_for(self, seconds: float) -> None:
        """Move both clocks `seconds` forward: the mock's first, so that what the app asks as its
        timers fire is answered at the new time, then the page's, firing the timers due."""
        self.mock.advance_clock(seconds)
        self.page.clock.run_for(round(seconds * 1000))
