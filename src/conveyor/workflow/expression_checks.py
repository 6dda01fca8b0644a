"""Checks of `${{ }}` expressions inside workflow values, with the column in the file.

Parsing is `conveyor.expr`'s job; here each expression is parsed, its contexts are compared with
what the key allows (the schema's `context` list: e.g. no `secrets` in `if`, no `steps` in a
job-level `if`), and status functions or `hashFiles` outside the keys that allow them are reported.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from conveyor import expr
from conveyor.errors import ExpressionSyntaxError
from conveyor.workflow.report import Report
from conveyor.workflow.scalar_positions import locate
from conveyor.workflow.schema_messages import Where
from conveyor.workflow.scopes import KNOWN_CONTEXTS, SPECIAL_FUNCTIONS, Scope
from conveyor.workflow.yaml_nodes import ScalarNode

OPEN = "${{"
INSERT = "insert"
_STRING_LITERAL = re.compile(r"\s*'(?:[^']|'')*'\s*\Z")


class ExpressionChecker:
    def __init__(self, report: Report) -> None:
        self.report = report

    def check_template(self, node: ScalarNode, text: str, scope: Scope, where: Where) -> bool:
        """Check every `${{ }}` in `text`; False when the value is a plain string after all."""
        try:
            spans = expr.find_expressions(text)
        except ExpressionSyntaxError as exc:
            offset = (exc.position or 1) - 1 if exc.position else text.find(OPEN)
            self._error(node, text, offset, "expression-syntax", _message(exc))
            return True
        if not spans:
            return False
        if _is_quoted_literal(text, spans):
            return False
        if not scope.allows_expressions:
            message = f"expressions are not allowed in {where.render()}"
            self._error(node, text, spans[0].start, "expression-not-allowed", message)
            return True
        if expr.mixed_template_too_long(text, spans):
            message = (
                f"invalid expression: Exceeded max expression length {expr.MAX_LENGTH} (GitHub"
                " evaluates text mixed with '${{ }}' as one format() expression)"
            )
            self._error(node, text, spans[0].start, "expression-syntax", message)
        for span in spans:
            if span.source.strip() == INSERT:
                self._check_insert(node, text, span.start, len(spans))
            else:
                self.check_expression(node, text, span.source, span.source_start, scope, where)
        return True

    def _check_insert(self, node: ScalarNode, text: str, start: int, count: int) -> None:
        """`${{ insert }}` (a mapping key merging a mapping) must be the whole value."""
        if count > 1 or text.strip() != text[start:].strip():
            message = f"the '{INSERT}' directive must be the whole value, not part of a string"
            self._error(node, text, start, "expression-syntax", message)

    def check_condition(self, node: ScalarNode, text: str, scope: Scope, where: Where) -> None:
        """An `if:` value without `${{ }}`: the whole value is one expression."""
        if text.strip():
            self.check_expression(node, text, text, 0, scope, where)

    def warn_if_always_true(self, node: ScalarNode, text: str, where: Where) -> None:
        spans = _spans_or_empty(text)
        if spans and (spans[0].start, spans[-1].end) != _trimmed_bounds(text):
            reason = "text around '${{ }}' makes it a non-empty string"
            message = f"{where.render()} is always true: {reason}"
            self.report.warning(node, "if-always-true", message)

    def check_expression(
        self, node: ScalarNode, text: str, source: str, base: int, scope: Scope, where: Where
    ) -> None:
        facts = analyse(source)
        if facts.syntax_error is not None:
            position, message = facts.syntax_error
            offset = base + max(position - 1, 0)
            self._error(node, text, offset, "expression-syntax", f"invalid expression: {message}")
            return
        start = base + len(source) - len(source.lstrip())
        for name in sorted(facts.contexts - scope.names):
            self._error(
                node, text, start, "expression-context", _context_message(name, scope, where)
            )
        for name in sorted(facts.functions & SPECIAL_FUNCTIONS - scope.functions):
            shown = "hashFiles" if name == "hashfiles" else name
            message = f"function '{shown}()' is not available in {where.render()}"
            self._error(node, text, start, "expression-function", message)
        for message in facts.problems:
            if not _job_status_arguments(message, scope):
                self._error(node, text, start, "expression-function", message)

    def _error(self, node: ScalarNode, text: str, offset: int, code: str, message: str) -> None:
        line, column = locate(node, text, max(offset, 0), self.report.lines)
        self.report.error_at(line, column, code, message)


@dataclass(frozen=True, slots=True)
class ExpressionFacts:
    """What the checks need to know about one expression source."""

    syntax_error: tuple[int, str] | None  # (1-based position, message)
    contexts: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()


@functools.lru_cache(maxsize=8192)
def analyse(source: str) -> ExpressionFacts:
    """Parse and inspect one expression once (workflows repeat the same expressions a lot)."""
    try:
        tree = expr.parse(source)
    except ExpressionSyntaxError as exc:
        return ExpressionFacts((exc.position or 1, exc.message))
    return ExpressionFacts(
        None,
        expr.referenced_contexts(tree),
        expr.called_functions(tree),
        tuple(expr.check_functions(tree)),
    )


def _job_status_arguments(message: str, scope: Scope) -> bool:
    """GitHub's schema lets a job-level `if` pass job ids to success() and failure()
    (`success(0,MAX)`); conveyor.expr knows only their step-level form without arguments."""
    if not message.startswith("Too many parameters supplied"):
        return False
    return any(
        item.lower() in ("success(0,max)", "failure(0,max)")
        and f"'{item.split('(')[0]}'" in message
        for item in scope.items
    )


def _context_message(name: str, scope: Scope, where: Where) -> str:
    if name not in KNOWN_CONTEXTS:
        return f"unknown context '{name}' (available in {where.render()}: {scope.describe()})"
    return f"context '{name}' is not available in {where.render()} (available: {scope.describe()})"


def _message(exc: ExpressionSyntaxError) -> str:
    return f"invalid expression: {exc.message}"


def _is_quoted_literal(text: str, spans: list[expr.ExpressionSpan]) -> bool:
    """`${{ 'text' }}` alone is read as the literal string (GitHub's escape for `${{`)."""
    return (
        len(spans) == 1
        and (spans[0].start, spans[0].end) == (0, len(text))
        and _STRING_LITERAL.match(spans[0].source) is not None
    )


def _spans_or_empty(text: str) -> list[expr.ExpressionSpan]:
    try:
        return expr.find_expressions(text)
    except ExpressionSyntaxError:
        return []


def _trimmed_bounds(text: str) -> tuple[int, int]:
    start = len(text) - len(text.lstrip())
    return start, len(text.rstrip())
