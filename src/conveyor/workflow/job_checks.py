"""Checks across the jobs of one workflow: job ids, `needs` naming unknown jobs, `needs` cycles.

Job ids are matched case-insensitively; `resolve_needs` gives each job's needs spelled as the jobs
are, so the model can be followed without case folding. Every edge of a cycle is reported at its
own location.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.workflow.identifiers import check_id
from conveyor.workflow.report import Report
from conveyor.workflow.schema_messages import suggestion
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode

Edges = dict[str, list[tuple[str, ScalarNode]]]


def job_pairs(root: Node) -> list[tuple[ScalarNode, MappingNode]]:
    jobs = root.get("jobs") if isinstance(root, MappingNode) else None
    if not isinstance(jobs, MappingNode):
        return []
    return [
        (k, v) for k, v in jobs.pairs if isinstance(v, MappingNode) and isinstance(k.value, str)
    ]


def check_jobs(report: Report, root: Node) -> dict[str, tuple[str, ...]]:
    """Report bad ids and `needs`; return each job's resolved needs (by job id)."""
    jobs = root.get("jobs") if isinstance(root, MappingNode) else None
    if isinstance(jobs, MappingNode) and not jobs.pairs:
        report.error(jobs, "jobs-empty", "the workflow has no jobs")
    pairs = job_pairs(root)
    for key, _ in pairs:
        check_id(report, key, "job id", "job-id")
    edges = _edges(report, pairs)
    _report_cycles(report, edges)
    return {job: tuple(dict.fromkeys(need for need, _ in needs)) for job, needs in edges.items()}


def _edges(report: Report, pairs: list[tuple[ScalarNode, MappingNode]]) -> Edges:
    ids = {str(key.value).upper(): str(key.value) for key, _ in pairs}
    edges: Edges = {}
    for key, job in pairs:
        job_id = str(key.value)
        edges.setdefault(job_id, [])
        for need in _needs(job.get("needs")):
            target = ids.get(str(need.value).upper())
            if target is None:
                hint = suggestion(str(need.value), ids.values())
                message = f"job '{job_id}' needs unknown job '{need.value}'{hint}"
                report.error(need, "needs-unknown", message)
            else:
                edges[job_id].append((target, need))
    return edges


def _needs(node: Node | None) -> Iterator[ScalarNode]:
    items = node.items if isinstance(node, SequenceNode) else [node]
    for item in items:
        if isinstance(item, ScalarNode) and isinstance(item.value, str) and item.value:
            yield item


def _report_cycles(report: Report, edges: Edges) -> None:
    for component in _cyclic_components(edges):
        members = ", ".join(sorted(component))
        for job in sorted(component):
            for target, node in edges[job]:
                if target == job:
                    report.error(node, "needs-cycle", f"job '{job}' needs itself")
                elif target in component:
                    message = (
                        f"job '{job}' needs '{target}', which creates a cycle"
                        f" in the dependency graph (jobs {members})"
                    )
                    report.error(node, "needs-cycle", message)


def _cyclic_components(edges: Edges) -> list[set[str]]:
    """Strongly connected components with a cycle (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    for start in edges:
        if start not in index:
            _strongconnect(start, edges, index, low, stack, on_stack, result)
    return result


def _strongconnect(
    start: str,
    edges: Edges,
    index: dict[str, int],
    low: dict[str, int],
    stack: list[str],
    on_stack: set[str],
    result: list[set[str]],
) -> None:
    work: list[tuple[str, int]] = [(start, 0)]
    while work:
        node, child = work.pop()
        if child == 0:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
        targets = [t for t, _ in edges[node]]
        if child < len(targets):
            work.append((node, child + 1))
            target = targets[child]
            if target not in index:
                work.append((target, 0))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
            continue
        if low[node] == index[node]:
            component = _pop_component(node, stack, on_stack)
            if len(component) > 1 or any(t == node for t in targets):
                result.append(component)
        if work:
            parent = work[-1][0]
            low[parent] = min(low[parent], low[node])


def _pop_component(node: str, stack: list[str], on_stack: set[str]) -> set[str]:
    component: set[str] = set()
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.add(member)
        if member == node:
            return component
