"""conveyor.expr: the `${{ }}` expression language with GitHub's semantics (layer 1).

Evaluate: `evaluate`, `interpolate`, `evaluate_condition`, `evaluate_value`.
Inspect: `parse` (the cached tree), `check_functions`, `referenced_contexts`, `called_functions`,
`find_expressions`, `to_source` (print a tree back). Convert: `to_string`, `is_truthy`, `to_json`.
See docs/expressions.md.
"""

from conveyor.expr.analysis import (
    called_functions,
    check_functions,
    referenced_contexts,
    uses_status_function,
)
from conveyor.expr.api import evaluate, evaluate_condition, evaluate_value, interpolate, parse
from conveyor.expr.cache import clear_caches
from conveyor.expr.jsontext import to_json
from conveyor.expr.limits import MAX_DEPTH, MAX_LENGTH
from conveyor.expr.nodes import Expression
from conveyor.expr.printer import to_source
from conveyor.expr.templates import ExpressionSpan, find_expressions, mixed_template_too_long
from conveyor.expr.values import is_truthy, to_string

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Expression",
    "ExpressionSpan",
    "called_functions",
    "check_functions",
    "clear_caches",
    "evaluate",
    "evaluate_condition",
    "evaluate_value",
    "find_expressions",
    "interpolate",
    "is_truthy",
    "mixed_template_too_long",
    "parse",
    "referenced_contexts",
    "to_json",
    "to_source",
    "to_string",
    "uses_status_function",
]
