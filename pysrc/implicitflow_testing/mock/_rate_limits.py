"""GetResponse's rate limits, counted per caller: 30,000 calls per 10-minute window, and with
the `documented_limits` switch 80 calls a second and 10 at once (apidocs.getresponse.com/v3/limits).

Not thread-safe by itself: `MockState` calls it under its lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from implicitflow_testing.mock._getresponse_api import (
    CALLS_PER_SECOND,
    RATE_LIMIT,
    RATE_WINDOW_SECONDS,
    SIMULTANEOUS_CALLS,
)
from implicitflow_testing.mock._oldest_first import OldestFirst, _Clock

#: Whom a call counts against: (its MAX domain or "", the account id).
Principal = tuple[str, str]
#: The limit a call passed, when it passed one of the documented limits.
Passed = Literal["per second", "simultaneous"]


@dataclass(slots=True)
class RateBucket:
    """One caller's counts: its 10-minute window, its current second, its calls in flight."""

    window_start: float
    used: int = 0
    second: int = -1
    used_this_second: int = 0
    in_flight: int = 0


def bucket_idle(bucket: RateBucket, now: float) -> bool:
    """Nothing in flight and its window over: a new bucket would count the same."""
    return not bucket.in_flight and now - bucket.window_start >= RATE_WINDOW_SECONDS


class RateCounts:
    """The buckets of every caller that authenticated, the least recently counted first out
    past `cap` ("Each user is allowed...", apidocs.getresponse.com/v3/limits)."""

    def __init__(self, cap: int, clock: _Clock) -> None:
        self.clock = clock
        self.buckets: OldestFirst[Principal, RateBucket] = OldestFirst(cap, clock, bucket_idle)

    def bucket(self, principal: Principal, now: float) -> RateBucket:
        bucket = self.buckets.get(principal)
        if bucket is None:
            bucket = self.buckets[principal] = RateBucket(now)
        else:
            self.buckets.move_to_end(principal)  # so the least recently counted go first
        return bucket

    def take(self, principal: Principal) -> tuple[int, float]:
        """Count one call against a principal's window; (remaining, seconds until the window
        resets)."""
        now = self.clock.now()
        bucket = self.bucket(principal, now)
        if now - bucket.window_start >= RATE_WINDOW_SECONDS:
            bucket.window_start, bucket.used = now, 0
        bucket.used += 1
        return RATE_LIMIT - bucket.used, bucket.window_start + RATE_WINDOW_SECONDS - now

    def begin_call(self, principal: Principal) -> Passed | None:
        """The documented limit the call passes, if any; otherwise the call is counted in flight
        until `end_call`."""
        now = self.clock.now()
        bucket, second = self.bucket(principal, now), int(now)
        if bucket.second != second:
            bucket.second, bucket.used_this_second = second, 0
        bucket.used_this_second += 1
        if bucket.used_this_second > CALLS_PER_SECOND:
            return "per second"
        if bucket.in_flight >= SIMULTANEOUS_CALLS:
            return "simultaneous"
        bucket.in_flight += 1
        return None

    def end_call(self, principal: Principal) -> None:
        bucket = self.buckets.get(principal)
        if bucket is not None and bucket.in_flight:
            bucket.in_flight -= 1
