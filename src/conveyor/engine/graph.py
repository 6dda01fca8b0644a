"""The `needs` graph of a workflow: validation, ancestors, stages and `-j` selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from conveyor.errors import Diagnostic, PlanError, error
from conveyor.model.workflow import Job, Workflow


def graph_diagnostics(workflow: Workflow) -> list[Diagnostic]:
    """Unknown needs, cycles and a graph without a first job, as GitHub rejects them."""
    problems: list[Diagnostic] = []
    for job in workflow.jobs.values():
        for need in job.needs:
            if _find(workflow.jobs, need) is None:
                location = job.locations.get("needs", job.location)
                message = f"job '{job.id}' needs job '{need}', which does not exist"
                problems.append(error(location, "needs-unknown", message))
    if problems:
        return problems
    cycle = find_cycle(workflow.jobs)
    if cycle:
        location = workflow.jobs[cycle[0]].location
        message = "the needs of these jobs form a cycle: " + " -> ".join(cycle)
        problems.append(error(location, "needs-cycle", message))
    elif workflow.jobs and all(job.needs for job in workflow.jobs.values()):
        message = "every job needs another job: at least one job must have no needs"
        problems.append(error(workflow.location, "needs-no-first", message))
    return problems


def _find(jobs: Mapping[str, Job], name: str) -> str | None:
    """Job ids are case-insensitive."""
    if name in jobs:
        return name
    return next((key for key in jobs if key.lower() == name.lower()), None)


def needs_of(workflow: Workflow, job_id: str) -> tuple[str, ...]:
    """The direct needs of a job as the ids used in `jobs:`."""
    found = (_find(workflow.jobs, need) for need in workflow.jobs[job_id].needs)
    return tuple(need for need in found if need is not None)


def find_cycle(jobs: Mapping[str, Job]) -> list[str]:
    """One cycle as a list of job ids (first id repeated at the end), or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(job_id: str) -> list[str]:
        state[job_id] = 1
        stack.append(job_id)
        for need in jobs[job_id].needs:
            target = _find(jobs, need)
            if target is None:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[job_id] = 2
        return []

    for job_id in jobs:
        if job_id not in state and (cycle := visit(job_id)):
            return cycle
    return []


def ancestors(workflow: Workflow, job_id: str) -> frozenset[str]:
    """Every job reachable through `needs`, transitively."""
    seen: set[str] = set()
    pending = list(needs_of(workflow, job_id))
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(needs_of(workflow, current))
    return frozenset(seen)


def select(workflow: Workflow, wanted: Iterable[str]) -> tuple[str, ...]:
    """The wanted jobs and everything they need, in file order."""
    chosen: set[str] = set()
    for name in wanted:
        job_id = _find(workflow.jobs, name)
        if job_id is None:
            raise PlanError(f"workflow '{workflow.path}' has no job '{name}'")
        chosen |= {job_id, *ancestors(workflow, job_id)}
    return tuple(job_id for job_id in workflow.jobs if job_id in chosen)


def has_job(workflow: Workflow, name: str) -> bool:
    return _find(workflow.jobs, name) is not None


def stages(workflow: Workflow, selected: Sequence[str] | None = None) -> list[list[str]]:
    """Jobs grouped by depth in the graph (a job's stage is one more than its deepest need)."""
    chosen = list(selected) if selected is not None else list(workflow.jobs)
    depth: dict[str, int] = {}

    def level(job_id: str) -> int:
        if job_id not in depth:
            needs = [n for n in needs_of(workflow, job_id) if n in chosen]
            depth[job_id] = 1 + max((level(n) for n in needs), default=-1)
        return depth[job_id]

    grouped: dict[int, list[str]] = {}
    for job_id in chosen:
        grouped.setdefault(level(job_id), []).append(job_id)
    return [grouped[index] for index in sorted(grouped)]
