"""The job graph as inline SVG, written directly (a 200-job run has thousands of edges: a
template loop costs several times more). Every text is escaped; links go to the job pages."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from conveyor.server.ui.job_graph import HEADER, LEG, NODE_WIDTH, Graph, Leg, Node


def _short(text: str, size: int) -> str:
    return escape(text if len(text) <= size else text[: size - 1] + "…")


def _link(run_id: int, key: str) -> str:
    return f"/runs/{run_id}/job?key={quote(key, safe='')}"


def _leg(run_id: int, leg: Leg, row: int) -> str:
    y = 30 + row * LEG
    return (
        f'<a href="{_link(run_id, leg.key)}"><g class="leg state-{leg.state}" '
        f'transform="translate(0,{y})"><circle class="mark" cx="24" cy="9" r="4"/>'
        f'<text x="36" y="13">{_short(leg.key, 24)}</text></g></a>'
    )


def _title(run_id: int, node: Node) -> str:
    if len(node.legs) == 1:
        key = node.legs[0].key
        title = f'<text x="30" y="21" class="title">{_short(key, 26)}</text>'
        return f'<a href="{_link(run_id, key)}">{title}</a>'
    count = f' <tspan class="muted">({len(node.legs) + node.more})</tspan>' if node.legs else ""
    return f'<text x="30" y="21" class="title">{_short(node.job_id, 20)}{count}</text>'


def _node(run_id: int, node: Node) -> str:
    legs = (
        "".join(_leg(run_id, leg, row) for row, leg in enumerate(node.legs))
        if len(node.legs) > 1
        else ""
    )
    y = HEADER + 9 + len(node.legs) * LEG
    more = f'<text x="36" y="{y}" class="muted">+{node.more} more</text>' if node.more else ""
    return (
        f'<g class="node state-{node.state}" data-job="{escape(node.job_id)}" '
        f'transform="translate({node.x},{node.y})">'
        f'<rect width="{NODE_WIDTH}" height="{node.height}" rx="6"/>'
        f'<circle class="mark" cx="16" cy="17" r="5"/>{_title(run_id, node)}{legs}{more}</g>'
    )


def graph_svg(graph: Graph, run_id: int) -> str:
    width, height = graph.width + 2, graph.height + 2
    edges = "".join(
        f'<path class="edge" data-from="{escape(e.source)}" data-to="{escape(e.target)}" '
        f'd="{e.path}"/>'
        for e in graph.edges
    )
    nodes = "".join(_node(run_id, node) for node in graph.nodes)
    return (
        f'<svg class="graph" width="{width}" height="{height}" viewBox="-1 -1 {width} {height}" '
        f'role="img" aria-label="Job graph">{edges}{nodes}</svg>'
    )
