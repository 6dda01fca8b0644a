"""Checks of `on:` beyond the schema: cron syntax, filters with their `-ignore` twin on the same
event, and workflow_dispatch / workflow_call input declarations (ids, types, options, defaults)."""

from __future__ import annotations

from conveyor.workflow.cron_check import cron_problem
from conveyor.workflow.identifiers import check_id
from conveyor.workflow.node_values import is_expression, pairs
from conveyor.workflow.report import Report
from conveyor.workflow.yaml_nodes import MappingNode, Node, ScalarNode, SequenceNode, display_string

_FILTERS = ("branches", "tags", "paths")


def check_triggers(report: Report, root: Node) -> None:
    on = root.get("on") if isinstance(root, MappingNode) else None
    for key, value in pairs(on):
        event = str(key.value)
        if event == "schedule" and isinstance(value, SequenceNode):
            _check_schedule(report, value)
        elif isinstance(value, MappingNode):
            _check_filters(report, event, value)
            if event in ("workflow_dispatch", "workflow_call"):
                for name, spec in pairs(value.get("inputs")):
                    _check_input(report, event, name, spec)


def _check_schedule(report: Report, schedule: SequenceNode) -> None:
    for entry in schedule.items:
        cron = entry.get("cron") if isinstance(entry, MappingNode) else None
        if isinstance(cron, ScalarNode) and isinstance(cron.value, str) and cron.value:
            problem = cron_problem(cron.value)
            if problem:
                report.error(cron, "cron", problem)


def _check_filters(report: Report, event: str, config: MappingNode) -> None:
    keys = [str(key.value) for key, _ in config.pairs]
    for name in _FILTERS:
        ignore = f"{name}-ignore"
        if name in keys and ignore in keys:
            second = config.pairs[max(keys.index(name), keys.index(ignore))][0]
            message = f"'{name}' and '{ignore}' cannot both be used for the same event ('{event}')"
            report.error(second, "filter-conflict", message)


def _check_input(report: Report, event: str, name: ScalarNode, spec: Node) -> None:
    check_id(report, name, "input id", "input-id", reserved_ok=True)
    if not isinstance(spec, MappingNode):
        return
    kind = spec.get("type")
    type_name = str(kind.value) if isinstance(kind, ScalarNode) else "string"
    if event == "workflow_dispatch":
        _check_options(report, str(name.value), type_name, spec)
    default = spec.get("default")
    if isinstance(default, ScalarNode) and default.value is not None:
        _check_default(report, str(name.value), type_name, default, spec)


def _check_options(report: Report, name: str, type_name: str, spec: MappingNode) -> None:
    options = spec.get("options")
    if type_name == "choice":
        if not isinstance(options, SequenceNode) or not options.items:
            report.error(spec, "input-options", f"choice input '{name}' needs a list of 'options'")
    elif options is not None:
        message = f"input '{name}' has 'options' but its type is '{type_name}', not 'choice'"
        report.error(options, "input-options", message)


def _check_default(
    report: Report, name: str, type_name: str, default: ScalarNode, spec: MappingNode
) -> None:
    value = default.value
    if is_expression(default):
        return
    if type_name == "boolean" and not isinstance(value, bool):
        problem = "must be true or false"
    elif type_name == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        problem = "must be a number"
    elif type_name == "choice" and display_string(value) not in _options(spec):
        problem = "must be one of its options"
    else:
        return
    shown = display_string(value)
    message = f"default '{shown}' of {type_name} input '{name}' {problem}"
    report.error(default, "input-default", message)


def _options(spec: MappingNode) -> set[str]:
    options = spec.get("options")
    if not isinstance(options, SequenceNode):
        return set()
    return {display_string(o.value) for o in options.items if isinstance(o, ScalarNode)}
