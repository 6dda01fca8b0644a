"""The run page's job graph: the `needs` DAG with matrix legs grouped under their job, laid
out server-side in columns by depth (a job sits one column right of the deepest job it needs),
drawn by the template as inline SVG."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from conveyor.engine.ports.store import StoredJob
from conveyor.server.ui.states import state_of

NODE_WIDTH, COLUMN_GAP, ROW_GAP = 210, 60, 16
HEADER, LEG, MAX_LEGS = 34, 22, 6
_ORDER = ("failure", "startup_failure", "abandoned", "cancelled", "in_progress", "waiting",
          "pending", "queued", "success", "skipped")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Leg:
    key: str
    label: str
    state: str


@dataclass(frozen=True, slots=True)
class Node:
    job_id: str
    state: str
    legs: tuple[Leg, ...]  # matrix legs (or the one instance); () before it started
    more: int  # legs not drawn
    x: int
    y: int
    height: int


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    path: str  # SVG path data


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: int
    height: int


def job_graph(jobs: Sequence[StoredJob], needs: Mapping[str, tuple[str, ...]]) -> Graph:
    groups = _groups(jobs, needs)
    depth = _depths(list(groups), needs)
    nodes = _place(groups, depth)
    edges = tuple(_edges(nodes, needs))
    width = max((n.x + NODE_WIDTH for n in nodes), default=0)
    height = max((n.y + n.height for n in nodes), default=0)
    return Graph(tuple(nodes), edges, width, height)


def _groups(
    jobs: Sequence[StoredJob], needs: Mapping[str, tuple[str, ...]]
) -> dict[str, list[StoredJob]]:
    groups: dict[str, list[StoredJob]] = {job_id: [] for job_id in needs}
    for job in jobs:
        groups.setdefault(job.job_id, []).append(job)
    return groups


def _depths(order: list[str], needs: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    depth: dict[str, int] = {}

    def of(job_id: str, seen: frozenset[str]) -> int:
        if job_id not in depth:
            parents = [p for p in needs.get(job_id, ()) if p in order and p not in seen]
            depth[job_id] = 1 + max((of(p, seen | {job_id}) for p in parents), default=-1)
        return depth[job_id]

    for job_id in order:
        of(job_id, frozenset())
    return depth


def _place(groups: dict[str, list[StoredJob]], depth: dict[str, int]) -> list[Node]:
    filled: dict[int, int] = {}
    nodes = []
    for job_id, legs in groups.items():
        column = depth[job_id]
        shown = tuple(_leg(job) for job in legs[:MAX_LEGS]) if len(legs) > 1 else ()
        height = HEADER + LEG * (len(shown) + (len(legs) > MAX_LEGS))
        y = filled.get(column, 0)
        filled[column] = y + height + ROW_GAP
        state = _worst([state_of(j.status, j.conclusion) for j in legs])
        nodes.append(
            Node(job_id, state, shown or tuple(_leg(j) for j in legs), max(0, len(legs) - MAX_LEGS),
                 column * (NODE_WIDTH + COLUMN_GAP), y, height)
        )  # fmt: skip
    return nodes


def _leg(job: StoredJob) -> Leg:
    label = ", ".join(str(v) for v in job.matrix.values()) if job.matrix else job.name
    return Leg(job.instance_key, label, state_of(job.status, job.conclusion))


def _worst(states: list[str]) -> str:
    if not states:
        return "queued"
    if all(s in ("success", "skipped") for s in states):
        return "success" if "success" in states else "skipped"
    return min(states, key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER))


def _edges(nodes: list[Node], needs: Mapping[str, tuple[str, ...]]) -> Iterator[Edge]:
    """One curve per need; jobs that need the same several jobs share a junction (a stage of
    20 jobs after a stage of 20 is 40 curves, not 400)."""
    by_id = {node.job_id: node for node in nodes}
    alike: dict[tuple[str, ...], list[Node]] = {}
    for node in nodes:
        sources = tuple(sorted({s for s in needs.get(node.job_id, ()) if s in by_id}))
        if sources:
            alike.setdefault(sources, []).append(node)
    for sources, targets in alike.items():
        if len(sources) > 1 and len(targets) > 1:
            yield from _bundle([by_id[s] for s in sources], targets)
        else:
            yield from (_edge(by_id[s], t) for s in sources for t in targets)


def _bundle(sources: list[Node], targets: list[Node]) -> Iterator[Edge]:
    x = (max(s.x for s in sources) + NODE_WIDTH + min(t.x for t in targets)) // 2
    y = sum(t.y for t in targets) // len(targets) + HEADER // 2
    for source in sources:
        yield Edge(source.job_id, "", _curve(source.x + NODE_WIDTH, source.y + HEADER // 2, x, y))
    for target in targets:
        yield Edge("", target.job_id, _curve(x, y, target.x, target.y + HEADER // 2))


def _edge(source: Node, target: Node) -> Edge:
    x1, y1 = source.x + NODE_WIDTH, source.y + HEADER // 2
    return Edge(source.job_id, target.job_id, _curve(x1, y1, target.x, target.y + HEADER // 2))


def _curve(x1: int, y1: int, x2: int, y2: int) -> str:
    bend = (x2 - x1) // 2
    return f"M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}"
