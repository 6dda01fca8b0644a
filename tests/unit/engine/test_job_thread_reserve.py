"""The scheduler starts the threads its jobs will run on before the first job, so that starting
a job later never waits for a new thread (which waits for the interpreter while jobs run)."""

from __future__ import annotations

import threading

from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.executors.fake import FakeExecutor
from conveyor.model.results import JobResult
from tests.unit.engine.conftest import run_workflow

FAN = """
on: push
jobs:
  root: {runs-on: x, steps: [{run: a}]}
  a: {needs: root, runs-on: x, steps: [{run: a}]}
  b: {needs: root, runs-on: x, steps: [{run: a}]}
  c: {needs: root, runs-on: x, steps: [{run: a}]}
  d: {needs: root, runs-on: x, steps: [{run: a}]}
"""


class ThreadCounting(FakeExecutor):
    """Counts, when each job starts, the job threads started since it was made."""

    def __init__(self) -> None:
        super().__init__()
        self.before = set(threading.enumerate())
        self.seen: dict[str, int] = {}

    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        new = [t for t in threading.enumerate() if t not in self.before]
        self.seen[document.job_id] = sum(1 for t in new if t.name.startswith("job "))
        return super().run_job(document, reporter, cancel)


def test_job_threads_are_started_before_the_first_job() -> None:
    executor = ThreadCounting()
    outcome = run_workflow(FAN, executor, parallel=3)
    assert set(outcome.conclusions().values()) == {"success"}
    assert executor.seen["root"] == 3  # min(parallel, jobs): all there when the first runs
    assert max(executor.seen.values()) == 3  # and no more were needed


def test_no_more_threads_than_jobs() -> None:
    executor = ThreadCounting()
    run_workflow("on: push\njobs:\n  one: {runs-on: x, steps: [{run: a}]}\n", executor)
    assert executor.seen == {"one": 1}


def test_a_finished_run_leaves_no_job_thread_behind() -> None:
    """A server runs many runs in one process: each run's job threads end with it."""
    before = set(threading.enumerate())
    for _ in range(3):
        outcome = run_workflow(FAN, FakeExecutor(), parallel=3)
        assert set(outcome.conclusions().values()) == {"success"}
    left = [t for t in threading.enumerate() if t not in before and t.name.startswith("job ")]
    for thread in left:
        thread.join(timeout=5)
    assert [t.name for t in left if t.is_alive()] == []
