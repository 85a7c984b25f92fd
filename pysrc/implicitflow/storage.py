"""Key-value stores for state and tokens: the in-memory one, and the interface all share.

A store has `get(key)` (a str, or None when absent), `set(key, value)`,
`remove(key)` and `keys()`. The browser's sessionStorage and localStorage are
wrapped to this interface in `browser_environment`.
"""


class MemoryStorage:
    """A store that lives as long as the page: nothing survives a reload."""

    def __init__(self):
        self._items = {}

    def get(self, key):
        return self._items.get(key)

    def set(self, key, value):
        self._items[key] = value

    def remove(self, key):
        self._items.pop(key, None)

    def keys(self):
        return list(self._items)
