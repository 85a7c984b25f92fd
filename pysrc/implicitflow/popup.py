"""Popup sign-in: telling a popup's callback from a redirect's, and the message it sends back.

The opener marks each popup login in localStorage, which the popup shares even when a
Cross-Origin-Opener-Policy cuts `window.opener`; the callback that finds the mark hands
the answer back (a BroadcastChannel, and `postMessage` to the opener when it can)
instead of finishing the login itself. The opener believes an answer only if it
carries the state of the login it is waiting for.

Every document of the origin can read localStorage and open any BroadcastChannel, so
the mark's key and the channel's name are the two halves of a block derived from the
state by a keyed one-way function (`derive_names`): only a document that knows the
state finds the mark or hears the answer, and neither name gives the state, or the
other name, away.
"""

from .pending_login import is_recent

#: Before the names of marks (in localStorage) and of the BroadcastChannels (same origin
#: only, by the browser's rules) popups answer on.
POPUP_PREFIX = "implicitflow.popup."

#: Added to the provider identity of a popup's pending login: only the opener's wait takes
#: it, never a callback page (a popup can hold a copy of the opener's sessionStorage).
POPUP_LOGIN = "&popup=1"

#: A message from a popup's callback: this prefix, then the fragment it received.
ANSWER_PREFIX = "implicitflow.popup-answer "


def answer_message(fragment):
    return ANSWER_PREFIX + fragment


class PopupMarks:
    """Popup logins in progress, in storage every window of the origin shares, each under
    a name derived from its state: `derive_names(state)` gives 128 hex digits."""

    def __init__(self, storage, derive_names):
        self._storage = storage
        self._derive_names = derive_names

    def channel(self, state):
        """The name of the BroadcastChannel that carries the answer for `state`."""
        return POPUP_PREFIX + self._derive_names(state)[64:]

    def add(self, state, now):
        self._storage.set(POPUP_PREFIX + self._derive_names(state)[:64], repr(float(now)))

    def remove(self, state):
        self._storage.remove(POPUP_PREFIX + self._derive_names(state)[:64])

    def has(self, state):
        return bool(state) and bool(self._storage.get(POPUP_PREFIX + self._derive_names(state)[:64]))

    def purge(self, now):
        """Drop marks older than a login may live (a popup abandoned with its tab)."""
        for key in self._storage.keys():
            if key.startswith(POPUP_PREFIX) and not is_recent(self._storage.get(key), now):
                self._storage.remove(key)
