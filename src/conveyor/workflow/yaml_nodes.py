"""A workflow file's YAML as a tree of positioned nodes.

The loader composes this tree itself from the parser's events (see `yaml_reader`), so every node,
keys included, knows its 1-based line and column, and scalars keep their YAML style (needed to map
an offset inside a value back to a column in the file).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class ScalarNode:
    """A scalar resolved with the YAML 1.2 core schema: None, bool, int, float or str."""

    value: object
    line: int
    column: int
    style: str = ""  # "" plain, "'" or '"' quoted, "|" literal, ">" folded


@dataclass(slots=True, eq=False)
class SequenceNode:
    items: list[Node]
    line: int
    column: int


@dataclass(slots=True, eq=False)
class MappingNode:
    pairs: list[tuple[ScalarNode, Node]]
    line: int
    column: int

    def get(self, key: str) -> Node | None:
        """The value of the first pair whose key is exactly `key` (as GitHub matches keys)."""
        for key_node, value in self.pairs:
            if key_node.value == key:
                return value
        return None

    def as_dict(self) -> dict[object, Node]:
        """Values by key (the first of duplicate keys wins, as `get` does)."""
        result: dict[object, Node] = {}
        for key_node, value in self.pairs:
            result.setdefault(key_node.value, value)
        return result


Node = ScalarNode | SequenceNode | MappingNode


def display_string(value: object) -> str:
    """A scalar as GitHub's template reader turns it into a string (keys, coerced values)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return number_string(value)
    return str(value)


def number_string(value: float) -> str:
    """Shortest round-trip text; integral values lose the fraction (`3.10` → `3.1`)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(value, ".15g")
    return text.replace("e+", "E+").replace("e-", "E-")


def to_plain(node: Node) -> object:
    """The node as plain Python values (dict, list, str, bool, int, float, None)."""
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [to_plain(item) for item in node.items]
    return {display_string(key.value): to_plain(value) for key, value in node.pairs}
