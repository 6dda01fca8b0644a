"""Compile a tree into nested Python closures: the fast way to evaluate it many times.

Each node becomes a function of the Scope. The hot shapes get specialised closures: property
access with a constant name, `==` against a string literal, two-operand `&&` / `||`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.access import index, wildcard
from conveyor.expr.analysis import call_problem
from conveyor.expr.functions import FUNCTIONS
from conveyor.expr.memory import MemoryExceeded, array_bytes, hold, string_bytes
from conveyor.expr.nodes import (
    And,
    Call,
    Comparison,
    Expression,
    Index,
    Literal,
    NamedValue,
    Not,
    Or,
    Wildcard,
)
from conveyor.expr.printer import to_source
from conveyor.expr.scope import Compiled, Scope
from conveyor.expr.values import (
    MISSING,
    find_property,
    fold,
    greater_or_equal,
    greater_than,
    is_truthy,
    less_or_equal,
    less_than,
    loose_equal,
)

_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "==": loose_equal,
    "<": less_than,
    "<=": less_or_equal,
    ">": greater_than,
    ">=": greater_or_equal,
}


def compile_tree(node: Expression) -> Compiled:
    """A closure evaluating `node`; raises ExpressionEvaluationError for invalid calls."""
    if isinstance(node, Literal):
        value = node.value
        return lambda scope: value
    if isinstance(node, NamedValue):
        return _named_value(node)
    if isinstance(node, Wildcard):
        return lambda scope: "*"
    if isinstance(node, Index):
        return _index(node)
    if isinstance(node, Call):
        return _call(node)
    if isinstance(node, Not):
        operand = compile_tree(node.operand)
        return lambda scope: not truthy(operand(scope))
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, And | Or):
        return _logical(node)
    raise TypeError(f"not an expression node: {node!r}")


def truthy(value: object) -> bool:
    """is_truthy with the common cases first."""
    if value is True:
        return True
    if value is False or value is None:
        return False
    if type(value) is str:
        return value != ""
    return is_truthy(value)


def _named_value(node: NamedValue) -> Compiled:
    name = node.name

    def named_value(scope: Scope) -> object:
        contexts = scope.contexts
        if name in contexts:
            return contexts[name]
        return _find_context(contexts, node)

    return named_value


def _find_context(contexts: Mapping[str, object], node: NamedValue) -> object:
    value = find_property(contexts, node.name)
    if value is MISSING:
        raise ExpressionEvaluationError(
            f"Unrecognized named-value: '{node.name}'. "
            f"Located at position {node.position} within expression: {node.source}",
            node.source,
            node.position,
        )
    return value


def _index(node: Index) -> Compiled:
    target = compile_tree(node.target)
    if isinstance(node.key, Wildcard):
        return _wildcard(node, target)
    if isinstance(node.key, Literal) and type(node.key.value) is str:
        return _property(target, node.key.value)
    key = compile_tree(node.key)

    def dynamic_index(scope: Scope) -> object:
        value = target(scope)
        if not isinstance(value, list | tuple | Mapping):
            return None  # the key is not even evaluated, as on GitHub
        return index(value, key(scope))

    return dynamic_index


def _wildcard(node: Index, target: Compiled) -> Compiled:
    def filtered(scope: Scope) -> object:
        try:
            result = wildcard(target(scope))
            hold(scope, scope.memory, array_bytes(len(result)))
        except MemoryExceeded:
            raise _memory_error(node) from None
        return result

    return filtered


def _memory_error(node: Expression) -> ExpressionEvaluationError:
    """GitHub's error for a call or filter whose result went over the memory budget."""
    return ExpressionEvaluationError(
        "The maximum allowed memory size was exceeded while evaluating the following "
        f"expression: {to_source(node)}",
        node.source,
        node.position,
    )


def _property(target: Compiled, name: str) -> Compiled:
    def property_access(scope: Scope) -> object:
        value = target(scope)
        if type(value) is dict:
            found = value.get(name, MISSING)
            if found is not MISSING:
                return found
        return index(value, name)

    return property_access


def _call(node: Call) -> Compiled:
    problem = call_problem(node)
    if problem is not None:
        raise ExpressionEvaluationError(problem, node.source, node.position)
    implementation = FUNCTIONS[node.name.lower()].implementation
    args = tuple(compile_tree(arg) for arg in node.args)

    def call(scope: Scope) -> object:
        mark = scope.memory
        try:
            result = implementation(scope, args)
            # The arguments are released; a string result is charged in their place.
            hold(scope, mark, string_bytes(len(result)) if type(result) is str else 0)
        except MemoryExceeded:
            raise _memory_error(node) from None
        return result

    return call


def _comparison(node: Comparison) -> Compiled:
    left, right = compile_tree(node.left), compile_tree(node.right)
    if node.operator in ("==", "!=") and _is_string_literal(node.right):
        equal = _equals_string(left, node.right.value)  # type: ignore[attr-defined]
        return equal if node.operator == "==" else lambda scope: not equal(scope)
    if node.operator == "!=":
        return lambda scope: not loose_equal(left(scope), right(scope))
    compare = _COMPARE[node.operator]
    return lambda scope: compare(left(scope), right(scope))


def _is_string_literal(node: Expression) -> bool:
    return isinstance(node, Literal) and type(node.value) is str


def _equals_string(left: Compiled, text: str) -> Compiled:
    folded = fold(text)

    def equals_string(scope: Scope) -> bool:
        value = left(scope)
        if type(value) is str:
            return value == text or fold(value) == folded
        return loose_equal(value, text)

    return equals_string


def _logical(node: And | Or) -> Compiled:
    operands = tuple(compile_tree(operand) for operand in node.operands)
    stop_when = isinstance(node, Or)  # && stops at the first falsy operand, || at the first truthy
    if len(operands) == 2:
        first, second = operands

        def pair(scope: Scope) -> object:
            value = first(scope)
            return value if truthy(value) is stop_when else second(scope)

        return pair

    def chain(scope: Scope) -> object:
        value: object = None
        for operand in operands:
            value = operand(scope)
            if truthy(value) is stop_when:
                return value
        return value

    return chain
