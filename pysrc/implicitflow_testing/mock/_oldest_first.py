"""A bounded store, oldest entry first: what keeps each of the mock's memories to its cap."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: How many entries whose time is up each addition to a store drops from its oldest end, at most:
#: the backlog drains faster than it grows, and no one request pays for all of it.
PURGE_PER_ADD = 2


class _Clock(Protocol):
    def now(self) -> float: ...


class OldestFirst(OrderedDict[K, V]):
    """A dict of at most `cap` entries, oldest first: an entry added past the cap drops the
    oldest one, and an entry set again counts as new. With `gone(value, now)`, an entry whose
    time is up is dropped when it is read (`get` answers as if it were not there), and each
    addition drops up to PURGE_PER_ADD such entries from the oldest end."""

    def __init__(self, cap: int, clock: _Clock | None = None,
                 gone: Callable[[V, float], bool] | None = None) -> None:
        super().__init__()
        self.cap, self._clock, self._gone = cap, clock, gone

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.cap:
            self.popitem(last=False)
        if self._gone is not None and self._clock is not None:
            now = self._clock.now()
            for _ in range(PURGE_PER_ADD):
                if not self or not self._gone(next(iter(self.values())), now):
                    break
                self.popitem(last=False)

    def get(self, key: K, default: Any = None) -> Any:
        value = super().get(key, default)
        if value is not default and self._gone is not None and self._clock is not None \
                and self._gone(value, self._clock.now()):
            del self[key]
            return default
        return value

    def copy(self) -> OldestFirst[K, V]:
        """A copy with the same cap and rules, entries in the same order, none dropped."""
        copied: OldestFirst[K, V] = OldestFirst(self.cap, self._clock, self._gone)
        for key, value in self.items():
            OrderedDict.__setitem__(copied, key, value)
        return copied
