"""The validated `on:` node → `conveyor.model.triggers.Triggers`."""

from __future__ import annotations

from conveyor.model.triggers import (
    CronSpec,
    EventTrigger,
    FilterList,
    InputSpec,
    OutputSpec,
    SecretSpec,
    Triggers,
)
from conveyor.workflow.node_values import location, pairs, raw, string_tuple, text
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode


def build_triggers(path: str, node: Node) -> Triggers:
    if isinstance(node, ScalarNode):
        events = [EventTrigger(str(node.value), location(path, node))]
    elif isinstance(node, SequenceNode):
        events = [EventTrigger(str(text(item)), location(path, item)) for item in node.items]
    else:
        events = [_event(path, key, value) for key, value in pairs(node)]
    return Triggers(tuple(events), location(path, node))


def _event(path: str, key: ScalarNode, value: Node) -> EventTrigger:
    name = str(key.value)
    where = location(path, key)
    if name == "schedule" and isinstance(value, SequenceNode):
        return EventTrigger(name, where, crons=tuple(_cron(path, item) for item in value.items))
    if not isinstance(value, MappingNode):
        return EventTrigger(name, where)
    return EventTrigger(
        name,
        where,
        branches=_filter(path, value, "branches"),
        branches_ignore=_filter(path, value, "branches-ignore"),
        tags=_filter(path, value, "tags"),
        tags_ignore=_filter(path, value, "tags-ignore"),
        paths=_filter(path, value, "paths"),
        paths_ignore=_filter(path, value, "paths-ignore"),
        types=_optional_tuple(value.get("types")),
        workflows=_optional_tuple(value.get("workflows")),
        inputs=tuple(_input(path, k, v) for k, v in pairs(value.get("inputs"))),
        secrets=tuple(_secret(path, k, v) for k, v in pairs(value.get("secrets"))),
        outputs=tuple(_output(path, k, v) for k, v in pairs(value.get("outputs"))),
    )


def _optional_tuple(node: Node | None) -> tuple[str, ...] | None:
    return None if node is None else string_tuple(node)


def _filter(path: str, event: MappingNode, name: str) -> FilterList | None:
    for key, value in event.pairs:
        if key.value == name:
            return FilterList(string_tuple(value), location(path, key))
    return None


def _cron(path: str, node: Node) -> CronSpec:
    assert isinstance(node, MappingNode)
    cron = node.get("cron")
    where = location(path, cron if cron is not None else node)
    return CronSpec(str(text(cron, "")), text(node.get("timezone")), where)


def _input(path: str, key: ScalarNode, node: Node) -> InputSpec:
    spec = node if isinstance(node, MappingNode) else MappingNode([], node.line, node.column)
    required = raw(spec.get("required"), False)
    return InputSpec(
        name=str(key.value),
        type=str(text(spec.get("type"), "string")),
        description=text(spec.get("description")),
        required=required is True,
        default=raw(spec.get("default")),
        options=string_tuple(spec.get("options")),
        location=location(path, key),
    )


def _secret(path: str, key: ScalarNode, node: Node) -> SecretSpec:
    spec = node if isinstance(node, MappingNode) else MappingNode([], node.line, node.column)
    return SecretSpec(
        name=str(key.value),
        description=text(spec.get("description")),
        required=raw(spec.get("required"), False) is True,
        location=location(path, key),
    )


def _output(path: str, key: ScalarNode, node: Node) -> OutputSpec:
    spec = node if isinstance(node, MappingNode) else MappingNode([], node.line, node.column)
    return OutputSpec(
        name=str(key.value),
        value=str(text(spec.get("value"), "")),
        description=text(spec.get("description")),
        location=location(path, key),
    )
