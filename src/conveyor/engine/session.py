"""`RunSession`: plans are turned into workflow runs, scheduled, and summed up as a RunRecord."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conveyor.engine.expressions import evaluate_text
from conveyor.engine.job_values import concurrency
from conveyor.engine.planner import WorkflowPlan
from conveyor.engine.ports.executor import Executor
from conveyor.engine.ports.observer import RunObserver
from conveyor.engine.records import RunRecord, WorkflowRecord, overall_conclusion
from conveyor.engine.run_state import WorkflowRun
from conveyor.engine.scheduler import Scheduler
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.errors import ConveyorError
from conveyor.model.results import Conclusion

if TYPE_CHECKING:
    from conveyor.engine.run_guard import RunGuard


@dataclass(frozen=True, slots=True)
class RunHeader:
    run_name: str | None = None
    concurrency: str | None = None


def run_header(scope: RunScope) -> RunHeader:
    """`run-name` and the workflow-level concurrency group (contexts: github, inputs, vars).

    A concurrency group that cannot be evaluated keeps the run from starting, as on GitHub.
    """
    workflow, contexts = scope.workflow, scope.contexts()
    run_name = evaluate_text(workflow.run_name, contexts) if workflow.run_name else None
    group = concurrency(workflow.concurrency, contexts)
    return RunHeader(run_name or None, group.group if group else None)


def _startup_failure(scope: RunScope, message: str) -> WorkflowRecord:
    workflow = scope.workflow
    error = f"{workflow.location}: error[startup]: {message}"
    return WorkflowRecord(
        scope.run_id, workflow.path, workflow.display_name, Conclusion.STARTUP_FAILURE, (), (error,)
    )


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One workflow to run: its static plan and what its expressions see."""

    plan: WorkflowPlan
    scope: RunScope
    guard: RunGuard | None = None  # with a run store: its concurrency group, carried jobs


class RunSession:
    """Runs several workflow runs together, sharing the run's `parallel` slots."""

    def __init__(
        self,
        executor: Executor,
        observer: RunObserver,
        settings: RunSettings,
        *,
        poll_interval: float = 0.1,
        hard_stop_grace: float = 12.0,
    ) -> None:
        self._settings = settings
        self._scheduler = Scheduler(
            executor,
            observer,
            parallel=settings.parallel,
            poll_interval=poll_interval,
            hard_stop_grace=hard_stop_grace,
        )

    def request_cancel(self) -> None:
        """First call: cancel gracefully; second: stop now. Signal-handler safe."""
        self._scheduler.request_cancel()

    def execute(
        self, requests: Sequence[RunRequest], not_started: Sequence[WorkflowRecord] = ()
    ) -> RunRecord:
        started: list[tuple[WorkflowRun, RunHeader]] = []
        failed = list(not_started)
        for request in requests:
            try:
                header = run_header(request.scope)
            except ConveyorError as exc:
                failed.append(_startup_failure(request.scope, str(exc)))
                continue
            run = WorkflowRun(request.scope, request.plan, self._settings)
            run.guard = request.guard
            started.append((run, header))
        self._scheduler.run([run for run, _ in started])
        records = tuple(failed) + tuple(
            WorkflowRecord(
                run_id=run.scope.run_id,
                workflow_path=run.plan.workflow.path,
                workflow_name=run.plan.workflow.display_name,
                conclusion=run.conclusion(),
                jobs=run.records(),
                run_name=header.run_name,
                concurrency=header.concurrency,
            )
            for run, header in started
        )
        interrupted = self._scheduler.interrupted
        return RunRecord(overall_conclusion(records, interrupted), records, interrupted)
