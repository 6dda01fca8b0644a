"""The run page's job graph: the `needs` DAG with matrix legs grouped under their job, laid
out server-side in columns by depth (a job sits one column right of the deepest job it needs),
drawn by the template as inline SVG."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conveyor.engine.ports.store import StoredJob
from conveyor.server.ui.templating import state_of

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
    by_id = {node.job_id: node for node in nodes}
    edges = tuple(
        _edge(by_id[source], node) for node in nodes for source in needs.get(node.job_id, ())
        if source in by_id
    )  # fmt: skip
    width = max((n.x + NODE_WIDTH for n in nodes), default=0)
    height = max((n.y + n.height for n in nodes), default=0)
    return Graph(tuple(nodes), edges, width, height)


def _groups(jobs: Sequence[StoredJob], needs: Mapping[str, tuple[str, ...]]) -> dict[str, list[StoredJob]]:
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


def _edge(source: Node, target: Node) -> Edge:
    x1, y1 = source.x + NODE_WIDTH, source.y + HEADER // 2
    x2, y2 = target.x, target.y + HEADER // 2
    bend = (x2 - x1) / 2
    path = f"M{x1},{y1} C{x1 + bend:.0f},{y1} {x2 - bend:.0f},{y2} {x2},{y2}"
    return Edge(source.job_id, target.job_id, path)
