"""The mock's time: the wall clock plus an offset that tests move forward instead of sleeping."""

from __future__ import annotations

import math
import threading
import time


class Clock:
    """Wall-clock time plus an offset that tests move forward instead of sleeping.

    Subclass it and override `now()` for a clock that moves only when told (the offset is still
    added by `advance()`); `offset` is what `advance()` added since the last reset.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Move the clock `seconds` (a number >= 0) forward; returns the offset now.

        This moves the mock's clock only: a browser page keeps its own (see the plugin's
        `shared_clock`, which moves Playwright's clock and this one together)."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError("advance must be a number of seconds >= 0")
        with self._lock:
            self.offset += seconds
            return self.offset

    def reset(self) -> None:
        with self._lock:
            self.offset = 0.0
