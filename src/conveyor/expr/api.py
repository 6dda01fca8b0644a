"""The public entry points, each backed by a compile cache."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.analysis import uses_status_function
from conveyor.expr.cache import CompileCache
from conveyor.expr.evaluation import CompiledExpression, compile_expression
from conveyor.expr.limits import WHITESPACE
from conveyor.expr.nodes import And, Call, Expression
from conveyor.expr.parser import parse_tree
from conveyor.expr.scope import checked_job_status
from conveyor.expr.templates import OPEN, read_template
from conveyor.expr.values import is_truthy, to_string

Contexts = Mapping[str, object]


def parse(source: str) -> Expression:
    """The tree of one expression (no `${{ }}`), cached; raises ExpressionSyntaxError.

    Only syntax is checked: unknown functions and wrong arities are reported by
    `check_functions` (and raise ExpressionEvaluationError when evaluated).
    """
    return _TREES.get(source)


def evaluate(source: str, contexts: Contexts) -> object:
    """Evaluate one expression (no `${{ }}`) with GitHub's semantics.

    Status functions see a successful job. Raises ExpressionSyntaxError or
    ExpressionEvaluationError.
    """
    compiled = _EXPRESSIONS.get(source)
    return compiled.evaluate(contexts)


def interpolate(template: str, contexts: Contexts) -> str:
    """Replace every `${{ }}` in `template` with its value converted to a string."""
    if OPEN not in template:
        return template
    return to_string(_TEMPLATES.get(template).expression.evaluate(contexts))


def evaluate_value(value: object, contexts: Contexts) -> object:
    """Evaluate a YAML value as GitHub's template reader does.

    A string that is exactly one `${{ expr }}` keeps the expression's type; a string mixing text
    and expressions becomes a string; lists and mappings are evaluated item by item (keys are
    not); other scalars are returned as they are.
    """
    try:
        return _evaluate_value(value, contexts)
    except RecursionError:
        raise ExpressionEvaluationError("The value is nested too deeply to evaluate") from None


def _evaluate_value(value: object, contexts: Contexts) -> object:
    if isinstance(value, str):
        if OPEN not in value:
            return value
        compiled = _TEMPLATES.get(value)
        result = compiled.expression.evaluate(contexts)
        return result if compiled.typed else to_string(result)
    if isinstance(value, Mapping):
        return {key: _evaluate_value(item, contexts) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_evaluate_value(item, contexts) for item in value]
    return value


def evaluate_condition(source: str, contexts: Contexts, *, job_status: str = "success") -> bool:
    """Evaluate an `if:` value (with or without `${{ }}`).

    Unless the condition calls success(), failure(), cancelled() or always() somewhere, it is
    evaluated as `success() && (condition)`; an empty condition is `success()`. `job_status`
    ('success', 'failure', 'cancelled', or 'skipped' where none of the three holds) is what the
    status functions read.
    """
    compiled = _CONDITIONS.get(source)
    value = compiled.evaluate(contexts, checked_job_status(job_status))
    return value is True or (value is not False and is_truthy(value))


def _compile_source(source: str) -> CompiledExpression:
    return compile_expression(parse(source))


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    expression: CompiledExpression
    typed: bool  # the template is exactly one `${{ }}`: its value keeps its type


def _compile_template(template: str) -> CompiledTemplate:
    read = read_template(template, parse)
    assert read.tree is not None  # callers only compile templates holding `${{`
    return CompiledTemplate(compile_expression(read.tree), read.typed)


def _compile_condition(source: str) -> CompiledExpression:
    tree: Expression
    if OPEN in source:
        read = read_template(source, parse)
        assert read.tree is not None
        tree = read.tree
    elif not source.strip(WHITESPACE):
        tree = Call("success", (), source=source)
    else:
        tree = parse(source)
    if not uses_status_function(tree):
        tree = And((Call("success", (), source=tree.source), tree), source=tree.source)
    return compile_expression(tree)


_TREES: CompileCache[str, Expression] = CompileCache(parse_tree)
_EXPRESSIONS: CompileCache[str, CompiledExpression] = CompileCache(_compile_source)
_TEMPLATES: CompileCache[str, CompiledTemplate] = CompileCache(_compile_template)
_CONDITIONS: CompileCache[str, CompiledExpression] = CompileCache(_compile_condition)
