"""Wording of schema diagnostics: where a value is, what was expected, what was found."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from conveyor.workflow.template_schema import Kind, TemplateSchema
from conveyor.workflow.yaml_nodes import Node, ScalarNode, SequenceNode, display_string

_MAX_LISTED = 8


@dataclass(frozen=True, slots=True)
class Where:
    """A value's path in the workflow (`jobs.build.steps[2].with`), rendered only on demand."""

    parent: Where | None
    key: str | int

    def render(self) -> str:
        parts: list[str] = []
        node: Where | None = self
        while node is not None and node.parent is not None:
            parts.append(f"[{node.key}]" if isinstance(node.key, int) else f".{node.key}")
            node = node.parent
        return "".join(reversed(parts)).lstrip(".") or "the workflow"

    def child(self, key: str | int) -> Where:
        return Where(self, key)


ROOT = Where(None, "")


def inside(where: Where) -> str:
    return "at the top level" if where.parent is None else f"in {where.render()}"


def expected(schema: TemplateSchema, name: str) -> tuple[str, list[str]]:
    """A phrase for what `name` accepts, and its string constants (for suggestions)."""
    constants: list[str] = []
    phrases: list[str] = []
    for definition in schema.scalar_definitions(name):
        if definition.kind is Kind.STRING and definition.constant is not None:
            constants.append(definition.constant)
        else:
            phrases.append(_scalar_phrase(definition.kind, definition.require_non_empty))
    if schema.definitions_of_kind(name, Kind.SEQUENCE):
        phrases.append("a sequence")
    if schema.definitions_of_kind(name, Kind.MAPPING):
        phrases.append("a mapping")
    if constants:
        phrases.insert(0, _constants_phrase(constants))
    return " or ".join(dict.fromkeys(phrases)) or "nothing", constants


def _scalar_phrase(kind: Kind, non_empty: bool) -> str:
    if kind is Kind.STRING:
        return "a non-empty string" if non_empty else "a string"
    return {Kind.NULL: "empty", Kind.BOOLEAN: "a boolean", Kind.NUMBER: "a number"}[kind]


def _constants_phrase(constants: list[str]) -> str:
    if len(constants) == 1:
        return f"'{constants[0]}'"
    if len(constants) > _MAX_LISTED:
        return f"one of {len(constants)} known values"
    return "one of " + ", ".join(f"'{c}'" for c in constants)


def describe(node: Node) -> str:
    """What was found, for "must be X, not Y" messages."""
    if isinstance(node, SequenceNode):
        return "a sequence"
    if not isinstance(node, ScalarNode):
        return "a mapping"
    value = node.value
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean {display_string(value)}"
    if isinstance(value, int | float):
        return f"the number {display_string(value)}"
    shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
    return f"the string '{shown}'"


def suggestion(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
