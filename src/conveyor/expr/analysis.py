"""Static questions about a tree: which contexts and functions it uses, and whether its calls
are valid (known function, allowed number of arguments)."""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.expr.functions import FUNCTIONS, STATUS_FUNCTIONS
from conveyor.expr.nodes import Call, Expression, NamedValue, children


def walk(root: Expression) -> Iterator[Expression]:
    """Every node of the tree, parents before children (iterative)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def referenced_contexts(expr: Expression) -> frozenset[str]:
    """Lower-cased names of the contexts the expression reads, e.g. {'github', 'steps'}."""
    return frozenset(node.name.lower() for node in walk(expr) if isinstance(node, NamedValue))


def called_functions(expr: Expression) -> frozenset[str]:
    """Lower-cased names of the functions the expression calls."""
    return frozenset(node.name.lower() for node in walk(expr) if isinstance(node, Call))


def uses_status_function(expr: Expression) -> bool:
    """Whether success(), failure(), cancelled() or always() appears anywhere in the tree."""
    return not called_functions(expr).isdisjoint(STATUS_FUNCTIONS)


def check_functions(expr: Expression) -> list[str]:
    """A message for every call to an unknown function or with a wrong number of arguments."""
    return [message for node in walk(expr) if (message := call_problem(node)) is not None]


def call_problem(node: Expression) -> str | None:
    if not isinstance(node, Call):
        return None
    info = FUNCTIONS.get(node.name.lower())
    if info is None:
        return _located("Unrecognized function", node)
    if len(node.args) < info.min_args:
        return _located("Too few parameters supplied", node)
    if len(node.args) > info.max_args:
        return _located("Too many parameters supplied", node)
    if info.odd_args and len(node.args) % 2 == 0:
        return _located(f"{info.name} requires an odd number of arguments", node)
    return None


def _located(description: str, node: Call) -> str:
    return (
        f"{description}: '{node.name}'. "
        f"Located at position {node.position} within expression: {node.source}"
    )
