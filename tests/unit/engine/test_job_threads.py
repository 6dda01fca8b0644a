"""Job threads are reused once idle, and a new one serves work when none is idle."""

from __future__ import annotations

import threading
from collections.abc import Callable

from conveyor.engine.job_threads import JobThreads


def _task(
    names: list[str],
    done: threading.Event,
    gate: threading.Event | threading.Barrier | None = None,
) -> Callable[[], Callable[[], None]]:
    def work() -> Callable[[], None]:
        if isinstance(gate, threading.Barrier):
            gate.wait()
        elif gate is not None:
            gate.wait(5)
        names.append(threading.current_thread().name)
        return done.set

    return work


def test_an_idle_thread_is_reused() -> None:
    threads, names = JobThreads("t"), []
    for _ in range(3):
        done = threading.Event()
        threads.run(_task(names, done))
        assert done.wait(5)
    assert names == ["t 1", "t 1", "t 1"]


def test_busy_threads_get_company() -> None:
    threads, names = JobThreads("t"), []
    gate, first, second = threading.Event(), threading.Event(), threading.Event()
    threads.run(_task(names, first, gate))
    threads.run(_task(names, second, gate))
    gate.set()
    assert first.wait(5)
    assert second.wait(5)
    assert sorted(names) == ["t 1", "t 2"]


def test_reserved_threads_wait_idle_and_serve_without_new_ones() -> None:
    threads, names = JobThreads("r"), []
    threads.reserve(3)
    assert threads.started == 3  # started now, before any work
    threads.reserve(2)  # enough already
    assert threads.started == 3
    together = threading.Barrier(3, timeout=5)  # passes only with three threads at once
    done = [threading.Event() for _ in range(3)]
    for event in done:
        threads.run(_task(names, event, together))
    assert all(event.wait(5) for event in done)
    assert sorted(names) == ["r 1", "r 2", "r 3"]
    assert threads.started == 3


def test_closed_threads_end_once_their_work_is_done() -> None:
    threads, names = JobThreads("c"), []
    threads.reserve(2)
    gate, done = threading.Event(), threading.Event()
    threads.run(_task(names, done, gate))  # busy when closed: ends after its work
    started = [t for t in threading.enumerate() if t.name.startswith("c ")]
    assert len(started) == 2
    threads.close()
    gate.set()
    assert done.wait(5)
    for thread in started:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in started)
