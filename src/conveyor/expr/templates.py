"""Strings with `${{ }}` in them, read as GitHub's template reader reads them.

A string that is exactly one `${{ expr }}` is that expression (and keeps its type). A string that
mixes text and expressions becomes `format('<text, braces doubled>{0}...', expr0, ...)`: always a
string. Scanning for the closing `}}` skips single-quoted strings; an unclosed `${{` is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conveyor.errors import ExpressionSyntaxError
from conveyor.expr.limits import MAX_LENGTH, WHITESPACE
from conveyor.expr.nodes import Call, Expression, Literal
from conveyor.expr.parser import check_depth

OPEN, CLOSE = "${{", "}}"
NOT_CLOSED = (
    "The expression is not closed. An unescaped ${{ sequence was found, "
    "but the closing }} sequence was not found."
)


@dataclass(frozen=True, slots=True)
class ExpressionSpan:
    """One `${{ ... }}` in a template (offsets are 0-based, `end` is just after the `}}`)."""

    start: int
    end: int
    source: str  # the text inside, stripped of surrounding whitespace
    source_start: int  # offset of `source` in the template (add error.position - 1 to it)


def find_expressions(template: str) -> list[ExpressionSpan]:
    """Every `${{ }}` of `template`, in order.

    An unclosed `${{` raises ExpressionSyntaxError whose `position` is the 1-based offset of its
    `$` in the template (so `position - 1` is the 0-based offset).
    """
    spans: list[ExpressionSpan] = []
    start = template.find(OPEN)
    while start >= 0:
        end = _closing(template, start)
        if end < 0:
            raise ExpressionSyntaxError(NOT_CLOSED, template, start + 1)
        raw = template[start + len(OPEN) : end - len(CLOSE)]
        leading = len(raw) - len(raw.lstrip(WHITESPACE))
        spans.append(ExpressionSpan(start, end, raw.strip(WHITESPACE), start + 3 + leading))
        start = template.find(OPEN, end)
    return spans


def _closing(template: str, start: int) -> int:
    """The offset just after the `}}` closing the `${{` at `start`, or -1."""
    index = start + len(OPEN)
    while True:
        close, quote = template.find(CLOSE, index), template.find("'", index)
        if close < 0:
            return -1
        if quote < 0 or close < quote:
            return close + len(CLOSE)
        end_quote = template.find("'", quote + 1)
        if end_quote < 0:
            return -1
        index = end_quote + 1


@dataclass(frozen=True, slots=True)
class TemplateTree:
    """A template read: `tree` is None for plain text; `typed` when it is exactly one expression."""

    text: str
    tree: Expression | None
    typed: bool


def read_template(template: str, parse: Callable[[str], Expression]) -> TemplateTree:
    """Read a template into its expression tree, parsing each `${{ }}` with `parse`."""
    spans = find_expressions(template)
    if not spans:
        return TemplateTree(template, None, typed=False)
    trees = [_parse_span(span, parse) for span in spans]
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(template):
        return TemplateTree(template, trees[0], typed=True)
    return TemplateTree(template, _format_call(template, spans, trees), typed=False)


def _parse_span(span: ExpressionSpan, parse: Callable[[str], Expression]) -> Expression:
    if not span.source:
        raise ExpressionSyntaxError("An expression was expected", span.source, None)
    return parse(span.source)


def _format_call(template: str, spans: list[ExpressionSpan], trees: list[Expression]) -> Call:
    """GitHub's rewrite of a mixed template into one format() call (length and depth checked)."""
    text, source = _format_source(template, spans)
    if len(source) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"Exceeded max expression length {MAX_LENGTH}", source)
    call = Call("format", (Literal(text, source=source), *trees), position=1, source=source)
    check_depth(call)
    return call


def mixed_template_too_long(template: str, spans: list[ExpressionSpan]) -> bool:
    """Whether GitHub's format() rewrite of a template mixing text and `${{ }}` exceeds the
    expression length limit (a template that is exactly one expression is never rewritten)."""
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(template):
        return False
    return len(_format_source(template, spans)[1]) > MAX_LENGTH


def _format_source(template: str, spans: list[ExpressionSpan]) -> tuple[str, str]:
    """The format string and the whole format() source GitHub makes of a mixed template."""
    pieces: list[str] = []
    position = 0
    for number, span in enumerate(spans):
        pieces.append(_escape_braces(template[position : span.start]) + "{" + str(number) + "}")
        position = span.end
    pieces.append(_escape_braces(template[position:]))
    text = "".join(pieces)
    source = "format('" + text.replace("'", "''") + "'"
    source += "".join(", " + span.source for span in spans) + ")"
    return text, source


def _escape_braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")
