"""Popup sign-in: telling a popup's callback from a redirect's, and the message it sends back.

The opener marks each popup login's state in localStorage, which the popup shares
even when a Cross-Origin-Opener-Policy cuts `window.opener`; the callback that finds
the mark hands the answer back (BroadcastChannel, and `postMessage` to the opener
when it can) instead of finishing the login itself. The opener believes an answer
only if it carries the state of the login it is waiting for.
"""

from .pending_login import is_recent

POPUP_PREFIX = "implicitflow.popup."

#: The BroadcastChannel (same origin only, by the browser's rules) popups answer on.
CHANNEL_NAME = "implicitflow.popup"

#: Added to the provider identity of a popup's pending login: only the opener's wait takes
#: it, never a callback page (a popup can hold a copy of the opener's sessionStorage).
POPUP_LOGIN = "&popup=1"

#: A message from a popup's callback: this prefix, then the fragment it received.
ANSWER_PREFIX = "implicitflow.popup-answer "


def answer_message(fragment):
    return ANSWER_PREFIX + fragment


class PopupMarks:
    """States of popup logins in progress, in storage every window of the origin shares."""

    def __init__(self, storage):
        self._storage = storage

    def add(self, state, now):
        self._storage.set(POPUP_PREFIX + state, repr(float(now)))

    def remove(self, state):
        self._storage.remove(POPUP_PREFIX + state)

    def has(self, state):
        return bool(state) and bool(self._storage.get(POPUP_PREFIX + state))

    def purge(self, now):
        """Drop marks older than a login may live (a popup abandoned with its tab)."""
        for key in self._storage.keys():
            if key.startswith(POPUP_PREFIX) and not is_recent(self._storage.get(key), now):
                self._storage.remove(key)
