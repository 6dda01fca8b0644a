"""The threads jobs run on: kept and reused, so starting a job does not wait for a new thread.

`threading.Thread.start()` waits until the new thread runs, which takes a while when other
threads hold the interpreter. A job handed to `JobThreads.run` goes to an idle thread (or to a
new one when none is idle) through a queue, and the scheduler goes on at once; `reserve` starts
the threads a run will need before its first job, while nothing else holds the interpreter, so
that later starts find one idle. Threads are daemons (as one thread per job was): a job
abandoned after a hard stop does not keep the process. `close` ends them once their work is
done (a server runs many runs in one process: each run's threads end with it).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

Task = Callable[[], Callable[[], None]]
"""Work that returns what to do once its thread is free again (e.g. post the job's result)."""


class JobThreads:
    def __init__(self, name: str = "job") -> None:
        self._name = name
        self._tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()  # None: end
        self._lock = threading.Lock()
        self._idle = 0
        self._count = 0

    @property
    def started(self) -> int:
        """Threads started so far (busy or idle)."""
        return self._count

    def reserve(self, count: int) -> None:
        """Start threads now until there are `count` (they wait idle for `run`)."""
        with self._lock:
            missing = max(0, count - self._count)
            self._count += missing
            self._idle += missing
            first = self._count - missing + 1
        for number in range(first, first + missing):
            self._start(number)

    def run(self, task: Task) -> None:
        """Run `task` on an idle thread, or on a new one; then what it returns, the thread
        counted idle already (so a job started in response finds it)."""
        with self._lock:
            start = self._idle == 0
            if start:
                self._count += 1
            else:
                self._idle -= 1
            number = self._count
        self._tasks.put(task)
        if start:
            self._start(number)

    def close(self) -> None:
        """Each thread ends once its current work (if any) is done; `run` must not follow."""
        with self._lock:
            count = self._count
        for _ in range(count):
            self._tasks.put(None)

    def _start(self, number: int) -> None:
        name = f"{self._name} {number}"
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while (task := self._tasks.get()) is not None:
            then = task()
            with self._lock:
                self._idle += 1
            then()
