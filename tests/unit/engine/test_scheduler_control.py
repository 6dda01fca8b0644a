"""Slots, deterministic order, timeouts, Ctrl-C (graceful, then hard), executor crashes."""

from __future__ import annotations

import threading

from conveyor.engine.ports.executor import CancelSignal, JobDocument, JobReporter
from conveyor.engine.ports.observer import JobView
from conveyor.executors.fake import FakeExecutor, FakeJob
from conveyor.model.results import Conclusion, JobResult
from tests.unit.engine.conftest import Recorder, run_workflow

FAN = """
on: push
jobs:
  a: {runs-on: x, steps: [{run: echo}]}
  b: {runs-on: x, steps: [{run: echo}]}
  c: {runs-on: x, steps: [{run: echo}]}
  d: {runs-on: x, steps: [{run: echo}]}
  z: {needs: [a, b, c, d], runs-on: x, steps: [{run: echo}]}
"""


def test_parallel_slots_and_file_order() -> None:
    executor = FakeExecutor(default=FakeJob(duration=0.03))
    outcome = run_workflow(FAN, executor, parallel=2)
    assert executor.max_active == 2
    assert executor.started == ["a", "b", "c", "d", "z"]
    assert outcome.record.conclusion == "success"


def test_one_slot_runs_one_job_at_a_time() -> None:
    executor = FakeExecutor(default=FakeJob(duration=0.01))
    run_workflow(FAN, executor, parallel=1)
    assert executor.max_active == 1


def test_a_job_timeout_cancels_it_and_fails_it() -> None:
    text = """
    on: push
    jobs:
      slow:
        runs-on: x
        timeout-minutes: 0.002
        steps: [{run: sleep 100}]
      after:
        needs: slow
        if: failure()
        runs-on: x
        steps: [{run: echo}]
    """
    outcome = run_workflow(text, FakeExecutor({"slow": FakeJob(until_cancelled=True)}))
    slow = outcome.job("slow")
    assert slow.conclusion is Conclusion.FAILURE
    assert "timeout" in (slow.error or "")
    assert outcome.conclusions()["after"] == "success"


CANCEL = """
on: push
jobs:
  long:
    runs-on: x
    steps: [{run: sleep 100}]
  keeps-going:
    if: always()
    runs-on: x
    steps: [{run: sleep 1}]
  later:
    needs: long
    runs-on: x
    steps: [{run: echo}]
  cleanup:
    needs: long
    if: always()
    runs-on: x
    steps: [{run: echo}]
  notify:
    needs: long
    if: ${{ !cancelled() }}
    runs-on: x
    steps: [{run: echo}]
"""


def test_first_interrupt_cancels_gracefully() -> None:
    """Jobs whose `if` holds under cancellation (always()) keep running or still start."""
    barrier = threading.Event()

    def keeps_going(document: JobDocument) -> FakeJob:
        barrier.wait(2)
        return FakeJob()

    executor = FakeExecutor({"long": FakeJob(until_cancelled=True), "keeps-going": keeps_going})
    recorder = Recorder()

    def on_start(recorder: Recorder, job: JobView) -> None:
        if job.instance_key == "keeps-going":
            assert recorder.session is not None
            recorder.session.request_cancel()
            threading.Timer(0.2, barrier.set).start()

    recorder.on_start = on_start
    outcome = run_workflow(CANCEL, executor, observer=recorder)
    assert outcome.conclusions() == {
        "long": "cancelled",
        "keeps-going": "success",
        "later": "cancelled",
        "cleanup": "success",
        "notify": "cancelled",
    }
    assert outcome.record.conclusion == "cancelled"
    assert outcome.record.interrupted
    assert any("Cancelling" in m for m in recorder.messages)


def test_second_interrupt_stops_everything() -> None:
    waiting = FakeJob(until_cancelled=True)
    executor = FakeExecutor({"long": waiting, "keeps-going": waiting})
    recorder = Recorder()

    def on_start(recorder: Recorder, job: JobView) -> None:
        if job.instance_key == "keeps-going":
            assert recorder.session is not None
            recorder.session.request_cancel()
            recorder.session.request_cancel()

    recorder.on_start = on_start
    outcome = run_workflow(CANCEL, executor, observer=recorder)
    assert outcome.conclusions()["keeps-going"] == "cancelled"
    assert outcome.conclusions()["cleanup"] == "cancelled"
    assert outcome.record.conclusion == "cancelled"


class _Crashing:
    def run_job(
        self, document: JobDocument, reporter: JobReporter, cancel: CancelSignal
    ) -> JobResult:
        raise RuntimeError("boom")


def test_an_executor_crash_fails_that_job() -> None:
    text = """
    on: push
    jobs:
      a: {runs-on: x, steps: [{run: echo}]}
    """
    outcome = run_workflow(text, _Crashing())  # type: ignore[arg-type]
    assert outcome.conclusions() == {"a": "failure"}
    assert "boom" in (outcome.job("a").error or "")
