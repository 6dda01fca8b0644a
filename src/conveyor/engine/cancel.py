"""`CancelToken`: the engine's CancelSignal, set when a job must stop."""

from __future__ import annotations

import threading


class CancelToken:
    """A settable CancelSignal; `force()` asks the executor to skip its grace periods."""

    __slots__ = ("_event", "_forced")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._forced = False

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._event.wait(timeout)

    def set(self) -> None:
        self._event.set()

    def force(self) -> None:
        self._forced = True
        self._event.set()

    def is_forced(self) -> bool:
        """True after a second Ctrl-C: stop now (SIGKILL) rather than gracefully."""
        return self._forced
