"""Map an offset inside a scalar's value to a line and column in the file.

Exact for single-line plain and quoted scalars whose text appears verbatim in the file and for
literal block scalars (`|`); otherwise (folded or multi-line flow scalars, escapes) the scalar's
own position is the best we can say.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence

from conveyor.workflow.yaml_nodes import ScalarNode


def locate(node: ScalarNode, value: str, offset: int, lines: Sequence[str]) -> tuple[int, int]:
    if node.style == "|":
        return _in_literal_block(node, value, offset, lines) or (node.line, node.column)
    if node.style == ">" or "\n" in value or node.line > len(lines):
        return node.line, node.column
    quote = 1 if node.style in ("'", '"') else 0
    start = node.column - 1 + quote
    if lines[node.line - 1][start : start + len(value)] == value:
        return node.line, node.column + quote + offset
    return node.line, node.column


def _in_literal_block(
    node: ScalarNode, value: str, offset: int, lines: Sequence[str]
) -> tuple[int, int] | None:
    indent = _block_indent(lines, node.line)
    if indent is None:
        return None
    starts = _line_starts(value)
    row = bisect.bisect_right(starts, offset) - 1
    line_start = starts[row]
    line_end = starts[row + 1] - 1 if row + 1 < len(starts) else len(value)
    text = value[line_start:line_end]
    index = node.line + row  # 0-based index of the source line holding that value line
    if index >= len(lines) or lines[index][indent : indent + len(text)].rstrip("\r") != text:
        return None
    return index + 1, indent + 1 + (offset - line_start)


@functools.lru_cache(maxsize=64)
def _line_starts(value: str) -> list[int]:
    """Offsets where the lines of `value` start (cached: a block may hold many expressions)."""
    return [0] + [index + 1 for index, char in enumerate(value) if char == "\n"]


def _block_indent(lines: Sequence[str], header_line: int) -> int | None:
    for index in range(header_line, len(lines)):
        line = lines[index]
        stripped = line.strip(" \r")
        if stripped:
            return len(line) - len(line.lstrip(" "))
    return None
