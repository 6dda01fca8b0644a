"""Offsets inside values → file columns."""

from __future__ import annotations

import pytest

from conveyor.workflow.scalar_positions import locate
from conveyor.workflow.yaml_nodes import MappingNode, ScalarNode
from conveyor.workflow.yaml_reader import read_yaml


def value_node(text: str) -> tuple[ScalarNode, list[str]]:
    root = read_yaml(text, "w.yml").root
    assert isinstance(root, MappingNode)
    node = root.pairs[0][1]
    assert isinstance(node, ScalarNode)
    return node, text.split("\n")


def position_of(text: str, needle: str) -> tuple[int, int]:
    node, lines = value_node(text)
    assert isinstance(node.value, str)
    return locate(node, node.value, node.value.index(needle), lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key: echo ${{ x }}\n", (1, 11)),
        ("key: 'echo ${{ x }}'\n", (1, 12)),
        ('key: "echo ${{ x }}"\n', (1, 12)),
        ("key: |\n  one\n    two ${{ x }}\n", (3, 9)),
        ("key: |-\n\n  one\n  ${{ x }}\n", (4, 3)),
        ("key: >\n  folded ${{ x }}\n", (1, 6)),
        ('key: "tab\\t${{ x }}"\n', (1, 6)),
        ("key: 'it''s ${{ x }}'\n", (1, 6)),
        ("key: plain\n  continued ${{ x }}\n", (1, 6)),
        ("key: &anchor echo ${{ x }}\n", (1, 6)),
    ],
    ids=[
        "plain",
        "single-quoted",
        "double-quoted",
        "literal",
        "literal-blank-first-line",
        "folded-start",
        "escape-start",
        "quote-escape-start",
        "multi-line-plain-start",
        "anchored-start",
    ],
)
def test_locate(text: str, expected: tuple[int, int]) -> None:
    assert position_of(text, "${{") == expected
