"""Validated `steps:` nodes → `conveyor.model.workflow.Step` objects.

Background-step syntax GitHub accepts (`wait`, `wait-all`, `cancel` steps) is left out of the model
(the loader warned: every step runs in the foreground), and the steps of a `parallel:` block are
run one after another.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.model.workflow import Step
from conveyor.workflow.node_values import (
    location,
    mapping,
    nested_locations,
    raw,
    text,
)
from conveyor.workflow.yaml_nodes import MappingNode, Node, SequenceNode

_FOREGROUND_ONLY = ("wait", "wait-all", "cancel")


def build_steps(path: str, node: Node | None) -> tuple[Step, ...]:
    runnable = list(_runnable(node))
    return tuple(_step(path, index, item) for index, item in enumerate(runnable))


def _runnable(node: Node | None) -> Iterator[MappingNode]:
    if not isinstance(node, SequenceNode):
        return
    for item in node.items:
        if not isinstance(item, MappingNode):
            continue
        parallel = item.get("parallel")
        if parallel is not None:
            yield from _runnable(parallel)
        elif not any(item.get(key) is not None for key in _FOREGROUND_ONLY):
            yield item


def _step(path: str, index: int, node: MappingNode) -> Step:
    get = node.as_dict().get
    return Step(
        index=index,
        location=location(path, node),
        id=text(get("id")),
        name=raw(get("name")),
        condition=raw(get("if")),
        uses=text(get("uses")),
        run=text(get("run")),
        shell=text(get("shell")),
        with_=mapping(get("with")),
        env=mapping(get("env")),
        continue_on_error=raw(get("continue-on-error"), False),
        timeout_minutes=raw(get("timeout-minutes")),
        working_directory=text(get("working-directory")),
        locations=nested_locations(path, node, ("with", "env")),
    )
