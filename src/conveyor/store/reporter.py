"""`StoreReporter`: a JobReporter that records a run as it goes.

Nothing is written on the caller's thread: each call queues its write and returns (a job never
waits for the disk or the database). One background thread applies the queue in order: after
the first write of a burst it lingers a few milliseconds so the burst lands in one transaction
(steps and annotations in the database, lines appended to each step's log file). That keeps
recording within a few percent of a run's wall time, and `logs --follow` sees lines within
LINGER. `flush()` waits until everything queued is stored and re-raises the first StoreError
the writer met; `close()` flushes and stops the thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from functools import partial
from typing import NamedTuple, cast

from conveyor.engine.ports.store import LogKey, LogStore, NewJob, RunStatus, RunStore
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, JobResult, StepResult
from conveyor.store.coverage_points import COVERAGE_TREND, CoverageTrend, coverage_point
from conveyor.store.logs import FileLogStore
from conveyor.store.step_summaries import write_summary

Write = Callable[[], None]
LINGER = 0.02  # seconds a burst may gather before it is written


_Line = tuple[LogKey, str]  # a log line: a plain tuple (the one item queued per line)


class _Close(NamedTuple):
    key: LogKey


class _StepStart(NamedTuple):
    instance_key: str
    step: int  # its index
    name: str
    at: float


class _StepEnd(NamedTuple):
    instance_key: str
    result: StepResult


_Row = Write | _StepStart | _StepEnd
Item = Write | _Line | _Close | _StepStart | _StepEnd | threading.Event | None


class StoreReporter:
    def __init__(
        self,
        runs: RunStore,
        logs: LogStore,
        run_id: int,
        attempt: int,
        coverage: CoverageTrend | None = None,
    ) -> None:
        self.runs = runs
        self.logs = logs
        self.coverage = coverage
        self.run_id = run_id
        self.attempt = attempt
        self._pending: deque[Item] = deque()
        self._wake = threading.Event()
        self._urgent = threading.Event()
        self._error: StoreError | None = None
        self._keys: dict[tuple[str, int | None], LogKey] = {}  # made once per step, not per line
        self._prepared: set[str] = set()  # jobs whose step files were made
        self._thread = threading.Thread(target=self._drain, name="conveyor-recorder", daemon=True)
        self._thread.start()

    def _put(self, item: Item) -> None:
        self._pending.append(item)
        if not self._wake.is_set():
            self._wake.set()

    # JobReporter
    def step_started(self, instance_key: str, index: int, name: str) -> None:
        if instance_key not in self._prepared:  # the job's first step, on the job's thread
            self._prepare(instance_key)
        self._put(_StepStart(instance_key, index, name, time.time()))

    def _prepare(self, instance_key: str) -> None:
        """Make the job's step files (with their reserve of disk, job_log.RESERVE) before its
        first step's process starts, while the disk has room. On the job's thread: the
        scheduler's, which starts the jobs one after another, never waits for these files."""
        self._prepared.add(instance_key)
        if isinstance(self.logs, FileLogStore):
            self.logs.prepare_job(self.run_id, self.attempt, instance_key)

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        text = line if line[-1:] == "\n" else line + "\n"
        key = self._keys.get((instance_key, index)) or self._log_key(instance_key, index)
        self._pending.append((key, text))  # _put, inlined: called for every line
        if not self._wake.is_set():
            self._wake.set()

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        """The lines as one text: one item for the writer, however many lines."""
        if not lines:
            return
        text = "\n".join(lines) + "\n"
        if "\n\n" in text:  # a line ending in a newline (or an empty one): as log_line has it
            text = "".join(line if line[-1:] == "\n" else line + "\n" for line in lines)
        key = self._keys.get((instance_key, index)) or self._log_key(instance_key, index)
        self._pending.append((key, text))
        if not self._wake.is_set():
            self._wake.set()

    def _log_key(self, instance_key: str, index: int | None) -> LogKey:
        key = self._keys[(instance_key, index)] = LogKey(
            self.run_id, self.attempt, instance_key, index
        )
        return key

    def step_finished(self, instance_key: str, result: StepResult) -> None:
        self._keys.pop((instance_key, result.index), None)
        self._put(_Close(LogKey(self.run_id, self.attempt, instance_key, result.index)))
        self._put(_StepEnd(instance_key, result))
        if result.trend == COVERAGE_TREND and self.coverage is not None:
            self._put(partial(self._record_coverage, self.coverage, result.outputs))

    def _record_coverage(self, coverage: CoverageTrend, outputs: Mapping[str, str]) -> None:
        run = self.runs.get_run(self.run_id)
        point = coverage_point(run, outputs) if run is not None else None
        if point is not None:
            coverage.record(point)

    def annotation(self, instance_key: str, annotation: Annotation) -> None:
        self._put(
            lambda: self.runs.add_annotation(self.run_id, self.attempt, instance_key, annotation)
        )

    # Job life, for the scheduler
    def start_job(self, job: NewJob) -> None:
        self._put(lambda: self.runs.start_job(self.run_id, self.attempt, job))

    def set_job_status(self, instance_key: str, status: RunStatus) -> None:
        self._put(lambda: self.runs.set_job_status(self.run_id, self.attempt, instance_key, status))

    def finish_job(self, instance_key: str, result: JobResult) -> None:
        self._put(_Close(LogKey(self.run_id, self.attempt, instance_key)))
        self._put(lambda: self.runs.finish_job(self.run_id, self.attempt, instance_key, result))
        if result.summary and isinstance(self.logs, FileLogStore):  # read by the web UI
            logs, summary = self.logs, result.summary
            self._put(lambda: write_summary(logs, self.run_id, self.attempt, instance_key, summary))

    def flush(self) -> None:
        done = threading.Event()
        self._urgent.set()
        self._put(done)
        done.wait()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def close(self) -> None:
        """Flush, then stop the writer thread (idempotent)."""
        if not self._thread.is_alive():
            return
        try:
            self.flush()
        finally:
            self._urgent.set()
            self._put(None)
            self._thread.join()

    def _drain(self) -> None:
        """Wait for a burst, let it gather, store it; stop at the None that close() queues."""
        while True:
            self._wake.wait()
            self._urgent.wait(LINGER)
            self._urgent.clear()
            self._wake.clear()  # before taking: a write queued from now on wakes us again
            pending = self._pending
            items = [pending.popleft() for _ in range(len(pending))]  # queued later: next round
            if None in items:  # close(): what came before it, then stop
                self._apply(items[: items.index(None)])
                return
            self._apply(items)

    def _apply(self, items: list[Item]) -> None:
        """Log lines first (one write per file per burst), then the rows, in one transaction;
        a flush marker waits for what was queued before it."""
        log_ops: list[_Line | _Close] = []
        rows: list[Write | _StepStart | _StepEnd] = []
        for item in items:
            if type(item) is tuple:  # a line (_Line): most items, checked first
                log_ops.append(cast(_Line, item))
            elif isinstance(item, threading.Event):
                self._write_logs(log_ops)
                self._store(self._row_writes(rows))
                log_ops, rows = [], []
                item.set()
            elif isinstance(item, _Close):
                log_ops.append(item)
            elif item is not None:
                rows.append(cast(_Row, item))
        self._write_logs(log_ops)
        self._store(self._row_writes(rows))

    def _row_writes(self, rows: list[Write | _StepStart | _StepEnd]) -> list[Write]:
        """A step that started and ended within one burst is written once, finished; steps
        that ended one after another are written together (one statement)."""
        ended = {(row.instance_key, row.result.index) for row in rows if isinstance(row, _StepEnd)}
        starts: dict[tuple[str, int], float] = {}
        writes: list[Write] = []
        ends: list[tuple[str, StepResult]] = []
        for row in rows:
            if isinstance(row, _StepEnd):
                at = starts.get((row.instance_key, row.result.index))
                ends.append((row.instance_key, _with_start(row.result, at)))
                continue
            if isinstance(row, _StepStart) and (row.instance_key, row.step) in ended:
                starts[(row.instance_key, row.step)] = row.at
                continue
            if ends:
                writes.append(self._finish_steps(ends))
                ends = []
            writes.append(partial(self._start_step, row) if isinstance(row, _StepStart) else row)
        if ends:
            writes.append(self._finish_steps(ends))
        return writes

    def _finish_steps(self, ends: list[tuple[str, StepResult]]) -> Write:
        return partial(self.runs.finish_steps, self.run_id, self.attempt, ends)

    def _start_step(self, start: _StepStart) -> None:
        self.runs.start_step(
            self.run_id, self.attempt, start.instance_key, start.step, start.name, start.at
        )

    def _write_logs(self, ops: list[_Line | _Close]) -> None:
        gathered: dict[LogKey, list[str]] = {}
        key: LogKey | None = None  # the key of the last line: most lines follow one of theirs
        texts: list[str] = []
        for op in ops:
            if isinstance(op, _Close):
                key = None
                self._store_one(partial(self._append, op.key, gathered.pop(op.key, [])))
                self._store_one(partial(self.logs.close, op.key))
                continue
            if op[0] is not key:  # a line
                key = op[0]
                texts = gathered.setdefault(key, [])
            texts.append(op[1])
        for key, texts in gathered.items():
            self._store_one(partial(self._append, key, texts))

    def _append(self, key: LogKey, texts: list[str]) -> None:
        if texts:
            self.logs.append(key, "".join(texts))

    def _store(self, writes: list[Write]) -> None:
        if not writes:
            return
        batch: Callable[[], AbstractContextManager[None]] | None = getattr(self.runs, "batch", None)
        if batch is not None:
            try:
                with batch():
                    for write in writes:
                        write()
                return
            except Exception:  # rolled back as a whole: store them one by one below
                pass
        for write in writes:
            self._store_one(write)

    def _store_one(self, write: Write) -> None:
        try:
            write()
        except Exception as error:  # kept and re-raised by flush(): the writer never dies
            wrapped = error if isinstance(error, StoreError) else StoreError(str(error))
            self._error = self._error or wrapped


def _with_start(result: StepResult, started_at: float | None) -> StepResult:
    """The result with the start time recorded for its step (when it has none of its own)."""
    if result.started_at is None and started_at is not None:
        return replace(result, started_at=started_at)
    return result
