"""Print a tree back to expression source; parsing the output gives an equal tree."""

from __future__ import annotations

import math
import re

from conveyor.expr.nodes import (
    And,
    Call,
    Comparison,
    Expression,
    Index,
    Literal,
    LiteralValue,
    NamedValue,
    Not,
    Or,
    Wildcard,
)

_PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)
_ATOM = 6


def to_source(node: Expression) -> str:
    """The expression text of a tree, with parentheses only where precedence needs them."""
    if isinstance(node, Literal):
        return literal_source(node.value)
    if isinstance(node, NamedValue):
        return node.name
    if isinstance(node, Wildcard):
        return "*"
    if isinstance(node, Index):
        return _index_source(node)
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"
    if isinstance(node, Not):
        return "!" + _wrapped(node.operand, _precedence(node))
    if isinstance(node, Comparison):
        return _comparison_source(node)
    if isinstance(node, And | Or):
        separator = " && " if isinstance(node, And) else " || "
        return separator.join(_wrapped(operand, _precedence(node)) for operand in node.operands)
    raise TypeError(f"not an expression node: {node!r}")


def literal_source(value: LiteralValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _index_source(node: Index) -> str:
    target = to_source(node.target)
    if not isinstance(node.target, NamedValue | Index | Call | Wildcard):
        target = f"({target})"
    key = node.key
    if isinstance(key, Wildcard):
        return f"{target}.*"
    if isinstance(key, Literal) and isinstance(key.value, str) and _is_name(key.value):
        return f"{target}.{key.value}"
    return f"{target}[{to_source(key)}]"


def _is_name(text: str) -> bool:
    return _PROPERTY_NAME.fullmatch(text) is not None


def _comparison_source(node: Comparison) -> str:
    precedence = _precedence(node)
    left = _wrapped(node.left, precedence)
    right = _wrapped(node.right, precedence + 1)  # left-associative
    return f"{left} {node.operator} {right}"


def _precedence(node: Expression) -> int:
    if isinstance(node, Or):
        return 1
    if isinstance(node, And):
        return 2
    if isinstance(node, Comparison):
        return 3 if node.operator in ("==", "!=") else 4
    if isinstance(node, Not):
        return 5
    return _ATOM


def _wrapped(node: Expression, minimum: int) -> str:
    text = to_source(node)
    return f"({text})" if _precedence(node) < minimum else text
