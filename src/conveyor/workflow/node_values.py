"""Reading validated YAML nodes into model values (plain Python values and locations)."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.errors import SourceLocation
from conveyor.workflow.yaml_nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    display_string,
    to_plain,
)


def location(path: str, node: Node) -> SourceLocation:
    return SourceLocation(path, node.line, node.column)


def text(node: Node | None, default: str | None = None) -> str | None:
    """A scalar as a string (None stays `default`)."""
    if not isinstance(node, ScalarNode) or node.value is None:
        return default
    return display_string(node.value)


def raw(node: Node | None, default: object = None) -> object:
    return default if node is None else to_plain(node)


def string_tuple(node: Node | None) -> tuple[str, ...]:
    """A string or a sequence of strings, as a tuple."""
    if isinstance(node, SequenceNode):
        return tuple(display_string(to_plain(item)) for item in node.items)
    value = text(node)
    return () if value is None else (value,)


def mapping(node: Node | None) -> dict[str, object]:
    if not isinstance(node, MappingNode):
        return {}
    return {display_string(key.value): to_plain(value) for key, value in node.pairs}


def pairs(node: Node | None) -> list[tuple[ScalarNode, Node]]:
    return list(node.pairs) if isinstance(node, MappingNode) else []


def key_locations(path: str, node: Node | None, prefix: str = "") -> dict[str, SourceLocation]:
    """`{key: location of its value}` for a mapping's entries, keys prefixed (`env.FOO`)."""
    return {prefix + display_string(key.value): location(path, value) for key, value in pairs(node)}


def nested_locations(
    path: str, node: MappingNode, keys: tuple[str, ...]
) -> Mapping[str, SourceLocation]:
    """Locations of `node`'s own keys plus `<key>.<entry>` for the mappings under `keys`."""
    result = key_locations(path, node)
    for key in keys:
        result.update(key_locations(path, node.get(key), key + "."))
    return result


def is_expression(node: Node | None) -> bool:
    return isinstance(node, ScalarNode) and isinstance(node.value, str) and "${{" in node.value


def holds_expression(node: Node) -> bool:
    """Whether any scalar under `node` (keys included) holds `${{`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            for key, value in current.pairs:
                stack.extend((key, value))
        elif isinstance(current, SequenceNode):
            stack.extend(current.items)
        elif is_expression(current):
            return True
    return False
