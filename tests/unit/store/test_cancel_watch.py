from __future__ import annotations

import threading

from conveyor.store import StoreHandle
from conveyor.store.cancel_watch import CancelWatch
from tests.unit.store.conftest import new_run


def test_a_stored_cancel_request_reaches_the_callback_once(store: StoreHandle) -> None:
    run = store.runs.create_run(new_run())
    called = threading.Event()
    calls: list[int] = []

    def cancel() -> None:
        calls.append(run.id)
        called.set()

    with CancelWatch(store.runs, run.id, cancel, interval=0.01) as watch:
        assert not called.wait(0.05)
        store.runs.request_cancel(run.id)  # as another process would
        assert called.wait(5)
    assert watch.fired.is_set()
    assert calls == [run.id]


def test_leaving_the_block_stops_the_watch(store: StoreHandle) -> None:
    run = store.runs.create_run(new_run())
    calls: list[str] = []
    with CancelWatch(store.runs, run.id, lambda: calls.append("x"), interval=0.01):
        pass
    store.runs.request_cancel(run.id)
    threading.Event().wait(0.05)
    assert calls == []
