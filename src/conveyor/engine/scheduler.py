"""The scheduler: runs ready job instances on executor threads, in a deterministic order, up to
`parallel` at a time, with matrix `max-parallel`, fail-fast, job timeouts and cancellation.

One coordinating thread (the caller's) owns all run state. Executor threads only run a job
document and post the result back on a queue. `request_cancel()` may be called from a signal
handler: the first call cancels gracefully (jobs whose `if` still holds under cancellation —
`always()`, `cancelled()` — keep running), the second stops every job now.
"""

from __future__ import annotations

import itertools
import queue
import time
from collections.abc import Callable, Iterator, Sequence

from conveyor.engine.conclusions import JOB_CANCELLED
from conveyor.engine.expansion import activate
from conveyor.engine.expressions import evaluate_condition
from conveyor.engine.job_threads import JobThreads
from conveyor.engine.ports.executor import (
    Executor,
    ForecastingExecutor,
    JobForecast,
    JobReporter,
)
from conveyor.engine.ports.observer import JobView, RunObserver
from conveyor.engine.records import JobRecord
from conveyor.engine.run_state import JobNode, Leg, LegState, NodeState, WorkflowRun
from conveyor.engine.scope import RunScope
from conveyor.errors import ConveyorError
from conveyor.model.results import Annotation, Conclusion, JobResult, StepResult

Clock = Callable[[], float]


class Scheduler:
    def __init__(
        self,
        executor: Executor,
        observer: RunObserver,
        *,
        parallel: int,
        clock: Clock = time.monotonic,
        poll_interval: float = 0.1,
        hard_stop_grace: float = 12.0,
    ) -> None:
        self._executor = executor
        self._observer = observer
        self._parallel = max(1, parallel)
        self._clock = clock
        self._poll = poll_interval
        self._grace = hard_stop_grace
        self._results: queue.Queue[tuple[Leg, JobResult]] = queue.Queue()
        self._top: list[WorkflowRun] = []
        self._runs: list[WorkflowRun] = []
        self._queue: list[Leg] = []
        self._running: list[Leg] = []
        self._sequence = itertools.count()
        self._requests = 0
        self._handled = 0
        self._hard_deadline: float | None = None
        self._threads = JobThreads()
        self._forecaster = executor if isinstance(executor, ForecastingExecutor) else None
        self._forecast_sent: tuple[int, int, int, int] | None = None
        self._started = 0  # jobs started that read the repository (see _forecast)
        self._others_started = 0  # and the other jobs

    @property
    def interrupted(self) -> bool:
        return self._handled > 0

    def request_cancel(self) -> None:
        """Ctrl-C: safe to call from a signal handler or another thread."""
        self._requests += 1

    def run(self, runs: Sequence[WorkflowRun]) -> None:
        """Run workflow runs to completion (or until stopped hard)."""
        self._top = list(runs)
        self._runs = list(runs)
        jobs = sum(len(run.nodes) for run in runs)
        self._threads.reserve(min(self._parallel, jobs))  # now, while no job holds the GIL
        try:
            self._run_to_completion()
        finally:
            self._threads.close()

    def _run_to_completion(self) -> None:
        self._advance()
        while not all(run.done for run in self._top):
            self._start_legs()
            self._forecast()
            if not self._running and not self._queue and not any(r.held for r in self._top):
                self._abandon("nothing left to run")  # defensive: a stalled graph
                break
            self._wait()
            if self._hard_deadline is not None and self._clock() >= self._hard_deadline:
                self._abandon("stopped")
                break
            self._advance()

    # -- activation -------------------------------------------------------------------------

    def _advance(self) -> None:
        changed = True
        while changed:
            changed = False
            for run in list(self._runs):
                changed |= self._activate_ready(run)
                changed |= self._close_finished(run)

    def _activate_ready(self, run: WorkflowRun) -> bool:
        ready = list(run.ready_nodes())
        for node in ready:
            for leg in activate(run, node, self._make_child):
                self._register(leg)
        return bool(ready)

    def _close_finished(self, run: WorkflowRun) -> bool:
        changed = False
        for node in run.nodes.values():
            for leg in node.legs:
                if leg.child is not None and leg.record is None and leg.child.done:
                    self._complete_call(leg)
                    changed = True
            changed |= run.complete(node)
        return changed

    def _make_child(self, run: WorkflowRun, leg: Leg, scope: RunScope) -> WorkflowRun:
        child = WorkflowRun(scope, run.plan.calls[leg.node.job_id], run.settings, run, run.display)
        self._runs.append(child)
        return child

    def _register(self, leg: Leg) -> None:
        if leg.record is not None:
            self._observer.job_finished(leg.view, leg.record)
        elif leg.document is not None:
            leg.sequence = next(self._sequence)
            if self._hard_deadline is not None:
                self._close(leg, Conclusion.CANCELLED, "the run was stopped")
            else:
                self._queue.append(leg)

    def _complete_call(self, leg: Leg) -> None:
        child = leg.child
        assert child is not None
        status = child.conclusion()
        error = None
        try:
            contexts = {**leg.call_contexts, "jobs": child.jobs_context()}
            from conveyor.engine import reusable  # only runs with reusable workflows load it

            outputs = reusable.outputs_of(child.plan.workflow, contexts)
        except ConveyorError as exc:
            status, outputs, error = Conclusion.FAILURE, {}, f"workflow_call outputs: {exc}"
        record = JobRecord(view=leg.view, conclusion=status, outputs=outputs, error=error)
        leg.finish(record)
        leg.node.outputs.update(outputs)
        if not child.records() or error:
            self._observer.job_finished(leg.view, record)
        self._after_finish(leg)

    # -- starting and waiting ---------------------------------------------------------------

    def _start_legs(self) -> None:
        for leg in list(self._queue):
            if len(self._running) >= self._parallel:
                return
            limit = leg.node.max_parallel
            if limit is not None and leg.node.running() >= limit:
                continue
            self._queue.remove(leg)
            self._start(leg)

    def _start(self, leg: Leg) -> None:
        leg.state = LegState.RUNNING
        leg.deadline = self._clock() + leg.timeout_seconds
        self._running.append(leg)
        if leg.node.job.reads_repository:
            self._started += 1
        else:
            self._others_started += 1
        self._observer.job_started(leg.view)
        self._threads.run(lambda: self._work(leg))

    def _work(self, leg: Leg) -> Callable[[], None]:
        """Run the leg's job (on a job thread); returns the posting of its result."""
        assert leg.document is not None
        reporter = _LegReporter(self._observer, leg.view)
        try:
            result = self._executor.run_job(leg.document, reporter, leg.cancel)
        except BaseException as exc:  # an executor must not take the run down with it
            result = JobResult(
                Conclusion.FAILURE, error=f"executor error: {type(exc).__name__}: {exc}"
            )
        return lambda: self._results.put((leg, result))

    def _forecast(self) -> None:
        """Tell a forecasting executor how many jobs that read the repository (only they need it
        in their workspace: Job.reads_repository) started and are about to start: those queued
        and those still waiting for their needs, at most `parallel` (it may prepare their
        workspaces); and the same for the other jobs (it may make their empty directories)."""
        if self._forecaster is None or not self._runs:
            return
        counts = [0, 0]  # jobs to come: [others, readers]
        for run in self._runs:
            for node in run.nodes.values():
                if node.state is NodeState.WAITING:
                    counts[node.job.reads_repository] += 1
        for leg in self._queue:
            counts[leg.node.job.reads_repository] += 1
        upcoming, others = (min(self._parallel, n) for n in (counts[1], counts[0]))
        if self._hard_deadline is not None:
            upcoming = others = 0
        sent = (self._started, upcoming, self._others_started, others)
        if sent != self._forecast_sent:
            self._forecast_sent = sent
            settings = self._runs[0].settings
            self._forecaster.forecast(
                JobForecast(
                    settings.repository,
                    settings.sha,
                    settings.include_uncommitted,
                    *sent,
                )
            )

    def _wait(self) -> None:
        try:
            leg, result = self._results.get(timeout=self._wait_time())
        except queue.Empty:
            pass
        else:
            self._finish_executed(leg, result)
            while True:
                try:
                    leg, result = self._results.get_nowait()
                except queue.Empty:
                    break
                self._finish_executed(leg, result)
        self._check_interrupts()
        self._check_guards()
        self._check_deadlines()

    def _wait_time(self) -> float:
        deadlines = [leg.deadline for leg in self._running if leg.deadline and not leg.timed_out]
        if not deadlines:
            return self._poll
        return max(0.0, min(self._poll, min(deadlines) - self._clock()))

    def _finish_executed(self, leg: Leg, result: JobResult) -> None:
        if leg not in self._running:
            return  # abandoned after a hard stop
        self._running.remove(leg)
        status, error = result.result, result.error
        if leg.timed_out and status in (Conclusion.CANCELLED, Conclusion.FAILURE):
            minutes = leg.timeout_seconds / 60
            status = Conclusion.FAILURE
            error = error or f"the job exceeded its timeout of {minutes:g} minutes"
        record = JobRecord(
            view=leg.view,
            conclusion=status,
            continue_on_error=leg.continue_on_error,
            outputs=dict(result.outputs),
            steps=result.steps,
            annotations=result.annotations,
            summary=result.summary,
            error=error,
            started_at=result.started_at,
            finished_at=result.finished_at,
            runs_on=leg.runs_on,
            environment=leg.environment,
            concurrency=leg.concurrency,
            unavailable=result.unavailable,
        )
        leg.finish(record)
        leg.node.outputs.update(result.outputs)
        self._observer.job_finished(leg.view, record)
        self._after_finish(leg)

    def _after_finish(self, leg: Leg) -> None:
        record = leg.record
        assert record is not None
        if (
            record.conclusion is Conclusion.FAILURE
            and not leg.continue_on_error
            and leg.node.fail_fast
        ):
            self._fail_fast(leg.node)

    # -- cancellation ------------------------------------------------------------------------

    def _fail_fast(self, node: JobNode) -> None:
        """A failed matrix leg cancels its queued and running siblings."""
        for sibling in node.legs:
            if sibling.state is LegState.QUEUED and sibling.record is None:
                self._queue.remove(sibling)
                self._close(sibling, Conclusion.CANCELLED, "cancelled by fail-fast")
            elif sibling.state is LegState.RUNNING and sibling.child is not None:
                self._cancel_run(sibling.child)
            elif sibling.state is LegState.RUNNING:
                sibling.cancel.set()

    def _close(self, leg: Leg, status: Conclusion, error: str) -> None:
        record = JobRecord(view=leg.view, conclusion=status, error=error)
        leg.finish(record)
        self._observer.job_finished(leg.view, record)

    def _check_interrupts(self) -> None:
        while self._handled < self._requests:
            self._handled += 1
            if self._handled == 1:
                self._observer.message("Cancelling the run (press Ctrl-C again to stop now)...")
                for run in self._top:
                    self._cancel_run(run)
            elif self._hard_deadline is None:
                self._observer.message("Stopping every job now...")
                self._stop_hard()

    def _check_guards(self) -> None:
        """A cancel request for one run from another process (e.g. cancel-in-progress)."""
        for run in self._top:
            if run.guard is not None and not run.cancelled and run.guard.cancel_requested():
                self._observer.message(run.guard.cancel_message(run))
                self._cancel_run(run)

    def _cancel_run(self, run: WorkflowRun) -> None:
        """Cancel a run: jobs whose `if` is false under cancellation stop or never start."""
        run.cancel()
        for node, leg in _legs_of(run):
            if leg.record is not None:
                continue
            if leg.child is not None:
                self._cancel_run(leg.child)
            elif not _survives_cancel(run, node):
                if leg.state is LegState.QUEUED:
                    self._queue.remove(leg)
                    self._close(leg, Conclusion.CANCELLED, "the run was cancelled")
                else:
                    leg.cancel.set()

    def _stop_hard(self) -> None:
        self._hard_deadline = self._clock() + self._grace
        for run in self._top:
            run.cancel()
        for leg in list(self._queue):
            self._queue.remove(leg)
            self._close(leg, Conclusion.CANCELLED, "the run was stopped")
        for leg in self._running:
            leg.cancel.force()

    def _check_deadlines(self) -> None:
        now = self._clock()
        for leg in self._running:
            if leg.deadline is not None and now >= leg.deadline and not leg.timed_out:
                leg.timed_out = True
                minutes = leg.timeout_seconds / 60
                self._observer.message(
                    f"{leg.view.display_name}: timed out after {minutes:g} minutes, cancelling"
                )
                leg.cancel.set()

    def _abandon(self, reason: str) -> None:
        """Close everything still open (after a hard stop's grace period, or a stall)."""
        for leg in list(self._running):
            self._running.remove(leg)
            self._close(leg, Conclusion.CANCELLED, reason)
        for leg in list(self._queue):
            self._queue.remove(leg)
            self._close(leg, Conclusion.CANCELLED, reason)
        for run in self._runs:
            for node in run.nodes.values():
                if node.legs and all(leg.record is not None for leg in node.legs):
                    run.complete(node)


def _legs_of(run: WorkflowRun) -> Iterator[tuple[JobNode, Leg]]:
    for node in run.nodes.values():
        for leg in node.legs:
            yield node, leg


def _survives_cancel(run: WorkflowRun, node: JobNode) -> bool:
    """Re-evaluate a started job's `if` with the run cancelled (GitHub's rule, §6.4)."""
    contexts = {**run.scope.contexts(), "needs": run.needs_context(node.job_id)}
    try:
        return evaluate_condition(node.job.condition, contexts, JOB_CANCELLED)
    except ConveyorError:
        return False


class _LegReporter(JobReporter):
    """Forwards an executor's progress to the observer with the job's view."""

    def __init__(self, observer: RunObserver, view: JobView) -> None:
        self._observer = observer
        self._view = view

    def step_started(self, instance_key: str, index: int, name: str) -> None:
        self._observer.step_started(self._view, index, name)

    def log_line(self, instance_key: str, index: int | None, line: str) -> None:
        self._observer.log_line(self._view, index, line)

    def log_lines(self, instance_key: str, index: int | None, lines: Sequence[str]) -> None:
        self._observer.log_lines(self._view, index, lines)

    def step_finished(self, instance_key: str, result: StepResult) -> None:
        self._observer.step_finished(self._view, result)

    def annotation(self, instance_key: str, annotation: Annotation) -> None:
        self._observer.annotation(self._view, annotation)
