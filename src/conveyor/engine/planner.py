"""The static plan of a workflow run: which jobs, their needs, and the workflows they call.

Everything that can be checked before a job runs is checked here, so a broken graph or a missing
reusable workflow stops the run before anything starts (GitHub's startup failure). What depends
on results (`if`, matrices from outputs, names) is evaluated later, when each job is ready.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from conveyor.engine import graph
from conveyor.engine.ports.workflows import WorkflowSource
from conveyor.errors import ConveyorError, Diagnostic, PlanError, WorkflowError, error
from conveyor.model.workflow import Job, Workflow

MAX_CALL_DEPTH = 10


@dataclass(frozen=True, slots=True)
class WorkflowPlan:
    workflow: Workflow
    jobs: tuple[str, ...]  # the selected job ids, in file order
    needs: Mapping[str, tuple[str, ...]]  # direct needs, as ids of `jobs:`
    ancestors: Mapping[str, frozenset[str]]
    calls: Mapping[str, WorkflowPlan] = field(default_factory=dict)  # job id → called plan

    def stages(self) -> list[list[str]]:
        return graph.stages(self.workflow, self.jobs)


def plan_workflow(
    workflow: Workflow,
    source: WorkflowSource | None = None,
    *,
    only: Sequence[str] = (),
    chain: tuple[str, ...] = (),
) -> WorkflowPlan:
    """Validate the needs graph, select jobs (`-j`: with what they need) and load called
    workflows recursively. Raises WorkflowError with diagnostics."""
    problems = graph.graph_diagnostics(workflow)
    if problems:
        raise WorkflowError(problems)
    try:
        jobs = graph.select(workflow, only) if only else tuple(workflow.jobs)
    except PlanError as exc:
        raise WorkflowError([error(workflow.location, "job-unknown", str(exc))]) from None
    calls: dict[str, WorkflowPlan] = {}
    problems = []
    for job_id in jobs:
        job = workflow.jobs[job_id]
        if job.uses is not None:
            try:
                calls[job_id] = _plan_call(job, workflow, source, (*chain, workflow.path))
            except WorkflowError as exc:
                problems.extend(exc.diagnostics)
            except ConveyorError as exc:
                problems.append(_call_problem(job, str(exc)))
    if problems:
        raise WorkflowError(problems)
    return WorkflowPlan(
        workflow=workflow,
        jobs=jobs,
        needs={job_id: graph.needs_of(workflow, job_id) for job_id in jobs},
        ancestors={job_id: graph.ancestors(workflow, job_id) for job_id in jobs},
        calls=calls,
    )


def _plan_call(
    job: Job, caller: Workflow, source: WorkflowSource | None, chain: tuple[str, ...]
) -> WorkflowPlan:
    from conveyor.engine.reusable import call_trigger  # only for reusable workflows

    uses = job.uses or ""
    if source is None:
        raise PlanError(f"cannot load reusable workflow '{uses}' here")
    if len(chain) > MAX_CALL_DEPTH:
        raise PlanError(f"reusable workflows nest deeper than {MAX_CALL_DEPTH} levels")
    called = source.load(uses, caller)
    if called.path in chain:
        raise PlanError(f"reusable workflow '{uses}' calls itself (through {' -> '.join(chain)})")
    call_trigger(called)
    return plan_workflow(called, source, chain=chain)


def _call_problem(job: Job, message: str) -> Diagnostic:
    return error(job.locations.get("uses", job.location), "reusable-workflow", message)
