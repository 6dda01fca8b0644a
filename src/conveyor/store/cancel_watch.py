"""`CancelWatch`: turns a cancel request stored by another process (cancel-in-progress, a newer
pending run replacing this one, later `conveyor cancel`) into a call in this one."""

from __future__ import annotations

import threading
from collections.abc import Callable

from conveyor.engine.ports.store import RunStore


class CancelWatch:
    """Polls `cancel_requested(run_id)` every `interval` seconds; calls `on_cancel` once."""

    def __init__(
        self,
        runs: RunStore,
        run_id: int,
        on_cancel: Callable[[], None],
        interval: float = 1.0,
        instance_key: str | None = None,
    ) -> None:
        self.runs = runs
        self.run_id = run_id
        self.instance_key = instance_key
        self.on_cancel = on_cancel
        self.interval = interval
        self.fired = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="conveyor-cancel", daemon=True)

    def __enter__(self) -> CancelWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                requested = self.runs.cancel_requested(self.run_id, self.instance_key)
            except Exception:  # a busy database must not kill the watch: try again later
                continue
            if requested:
                self.fired.set()
                self.on_cancel()
                return
