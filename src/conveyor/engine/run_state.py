"""The mutable state of running workflows: job nodes, their legs, and workflow runs.

Only the scheduler's thread changes this state; executor threads never touch it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conveyor.engine.cancel import CancelToken
from conveyor.engine.conclusions import aggregate, effective, run_conclusion
from conveyor.engine.planner import WorkflowPlan
from conveyor.engine.ports.executor import JobDocument
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.strategy import StrategyPlan
from conveyor.model.results import Conclusion
from conveyor.model.workflow import Job

if TYPE_CHECKING:
    from conveyor.engine.run_guard import RunGuard


class LegState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class NodeState(enum.Enum):
    WAITING = "waiting"  # for its needs
    ACTIVE = "active"  # legs queued or running
    DONE = "done"


@dataclass(eq=False, slots=True)
class Leg:
    """One job instance: a matrix combination of a job (or the job itself)."""

    node: JobNode
    index: int
    view: JobView
    continue_on_error: bool = False
    document: JobDocument | None = None  # set for a job with steps
    child: WorkflowRun | None = None  # set for a reusable-workflow call
    timeout_seconds: float = 360 * 60.0
    runs_on: tuple[str, ...] = ()
    environment: str | None = None
    concurrency: str | None = None
    state: LegState = LegState.QUEUED
    cancel: CancelToken = field(default_factory=CancelToken)
    deadline: float | None = None
    timed_out: bool = False
    record: JobRecord | None = None
    sequence: int = 0
    call_contexts: dict[str, object] = field(default_factory=dict)

    def finish(self, record: JobRecord) -> None:
        self.record = record
        self.state = LegState.DONE


@dataclass(eq=False, slots=True)
class JobNode:
    """One entry of `jobs:` in one workflow run."""

    job_id: str
    job: Job
    state: NodeState = NodeState.WAITING
    strategy: StrategyPlan | None = None
    legs: list[Leg] = field(default_factory=list)
    result: Conclusion | None = None  # what dependants see (continue-on-error applied)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def fail_fast(self) -> bool:
        return self.strategy is not None and self.strategy.is_matrix and self.strategy.fail_fast

    @property
    def max_parallel(self) -> int | None:
        return self.strategy.max_parallel if self.strategy is not None else None

    def running(self) -> int:
        return sum(1 for leg in self.legs if leg.state is LegState.RUNNING)


class WorkflowRun:
    """One workflow being run (a called reusable workflow is a child run of its caller's leg)."""

    def __init__(
        self,
        scope: RunScope,
        plan: WorkflowPlan,
        settings: RunSettings,
        parent: WorkflowRun | None = None,
        display: tuple[str, str] | None = None,
    ) -> None:
        self.scope = scope
        self.plan = plan
        self.settings = settings
        self.parent = parent
        workflow = plan.workflow
        # Jobs of called workflows are shown under the top-level workflow.
        self.display = display or (workflow.path, workflow.display_name)
        self.nodes = {job_id: JobNode(job_id, workflow.jobs[job_id]) for job_id in plan.jobs}
        self._cancelled = False
        self.guard: RunGuard | None = None  # run store: concurrency group, carried jobs

    @property
    def cancelled(self) -> bool:
        return self._cancelled or (self.parent is not None and self.parent.cancelled)

    def cancel(self) -> None:
        self._cancelled = True

    @property
    def done(self) -> bool:
        return all(node.state is NodeState.DONE for node in self.nodes.values())

    @property
    def held(self) -> bool:
        """Its jobs wait for its guard (e.g. its concurrency group)."""
        return self.guard is not None and self.guard.holding()

    def ready_nodes(self) -> Iterator[JobNode]:
        if self.guard is not None and not self.guard.admit(self):
            return
        for node in self.nodes.values():
            if node.state is NodeState.WAITING and all(
                self.nodes[need].state is NodeState.DONE for need in self.plan.needs[node.job_id]
            ):
                yield node

    def needs_context(self, job_id: str) -> dict[str, object]:
        """`needs`: the direct needs' results (continue-on-error applied) and outputs."""
        context: dict[str, object] = {}
        for need in self.plan.needs[job_id]:
            node = self.nodes[need]
            result = node.result or Conclusion.SKIPPED
            context[need] = {"result": str(result), "outputs": dict(node.outputs)}
        return context

    def ancestor_results(self, job_id: str) -> list[Conclusion]:
        return [self.nodes[a].result or Conclusion.SKIPPED for a in self.plan.ancestors[job_id]]

    def complete(self, node: JobNode) -> bool:
        """Close a node whose legs have all finished; True when it was closed now."""
        if node.state is not NodeState.ACTIVE or any(leg.record is None for leg in node.legs):
            return False
        results = [effective(_conclusion(leg), leg.continue_on_error) for leg in node.legs]
        node.result = aggregate(results)
        node.state = NodeState.DONE
        return True

    def jobs_context(self) -> dict[str, object]:
        """`jobs` (for workflow_call outputs): every job's result and outputs."""
        return {
            job_id: {
                "result": str(node.result or Conclusion.SKIPPED),
                "outputs": dict(node.outputs),
            }
            for job_id, node in self.nodes.items()
        }

    def records(self) -> tuple[JobRecord, ...]:
        found: list[JobRecord] = []
        for node in self.nodes.values():
            for leg in node.legs:
                child_records = leg.child.records() if leg.child is not None else ()
                if child_records:
                    found.extend(child_records)
                elif leg.record is not None:
                    found.append(leg.record)
        return tuple(found)

    def conclusion(self) -> Conclusion:
        pairs = [(_conclusion(leg), leg.continue_on_error) for leg in self._legs()]
        return run_conclusion(pairs, self.cancelled)

    def _legs(self) -> Iterator[Leg]:
        for node in self.nodes.values():
            yield from node.legs


def _conclusion(leg: Leg) -> Conclusion:
    return leg.record.conclusion if leg.record is not None else Conclusion.CANCELLED
