"""Named events with subscribe/unsubscribe: login, logout, expiring, expired, error."""

from .errors import ConfigurationError, describe

EVENT_NAMES = ("login", "logout", "expiring", "expired", "error")


class Events:
    """Callbacks per event name. A failing callback does not stop the others."""

    def __init__(self, report_failure=None):
        self._callbacks = {name: [] for name in EVENT_NAMES}
        self._report_failure = report_failure

    def on(self, name, callback):
        """Subscribe; returns a function that unsubscribes."""
        if name not in self._callbacks:
            raise ConfigurationError(
                "unknown event " + describe(name) + "; events are " + ", ".join(EVENT_NAMES)
            )
        entry = [callback]  # a fresh object, so subscribing one callback twice unsubscribes once
        self._callbacks[name].append(entry)

        def unsubscribe():
            if entry in self._callbacks[name]:
                self._callbacks[name].remove(entry)

        return unsubscribe

    def emit(self, name, value=None):
        for entry in list(self._callbacks[name]):
            try:
                entry[0](value)
            except Exception as error:  # an app's bug must not break the sign-in flow
                if self._report_failure is None:
                    raise
                self._report_failure(error)
