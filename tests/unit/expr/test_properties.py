"""Property tests: any input fails only with the two expression errors, and printing a tree
gives source that parses back to the same tree."""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.errors import ExpressionEvaluationError, ExpressionSyntaxError
from conveyor.expr import (
    evaluate,
    evaluate_condition,
    evaluate_value,
    interpolate,
    parse,
    to_source,
)
from conveyor.expr.parser import parse_tree
from conveyor.expr.printer import literal_source

KEYWORDS = {"true", "false", "null", "NaN", "Infinity"}
FUNCTIONS = [
    "contains",
    "startsWith",
    "endsWith",
    "format",
    "join",
    "toJSON",
    "fromJSON",
    "case",
    "success",
    "always",
    "nope",
]
WORKSPACE = Path(__file__).parent  # hashFiles may run: give it a small real directory
CONTEXTS: dict[str, object] = {
    "github": {"ref": "refs/heads/main", "workspace": str(WORKSPACE), "n": 1.5},
    "env": {"A": "", "B": "text", "L": [1, "x", None, {"k": [True]}], "O": {"k": "v"}},
    "matrix": {"nan": math.nan, "inf": -math.inf, "zero": -0.0},
}
PIECES = [
    "github", "env", "matrix", ".", "*", "[", "]", "(", ")", ",", "'", "''", "!", "==", "!=",
    "<", "<=", ">", ">=", "&&", "||", "=", "&", "|", "null", "true", "NaN", "-Infinity", "0x1f",
    "1.5e3", ".5", "-", "${{", "}}", " ", "A", "L", "O", "k", "ref", "contains(", "format(",
    "fromJSON(", "toJSON(", "join(", "case(", "startsWith(", "success()", "always()", "'{0}'",
    "'[1,{\"a\":2}]'", "hashFiles('*.py')", "'x'", "\n", "\"",
]  # fmt: skip
EXPRESSION_ERRORS = (ExpressionSyntaxError, ExpressionEvaluationError)

soup = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(soup)
def test_any_input_fails_only_with_expression_errors(text: str) -> None:
    for run in (
        lambda: evaluate(text, CONTEXTS),
        lambda: interpolate(text, CONTEXTS),
        lambda: evaluate_value([text, {"k": text}], CONTEXTS),
        lambda: evaluate_condition(text, CONTEXTS, job_status="failure"),
    ):
        with contextlib.suppress(*EXPRESSION_ERRORS):
            run()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_fails_only_with_expression_errors(text: str) -> None:
    with contextlib.suppress(*EXPRESSION_ERRORS):
        evaluate(text, CONTEXTS)


CHAIN_PIECES = [
    "a.b", ".c", ".*", "x-y.z", "true.x", "a.b'", "a.b*c", ".e5", "(.5)", "a[0].b.*.c",
    "a .b", "a. b", "a.null", "null.a", "a.b(", "1.a", "'s'.a", "a.b.1", "f(a.b", "\t.d",
]  # fmt: skip
chain_soup = st.lists(st.sampled_from(PIECES + CHAIN_PIECES * 3), max_size=14).map("".join)


def _outcome(source: str, *, chains: bool) -> object:
    try:
        tree = parse_tree(source, chains=chains)
    except ExpressionSyntaxError as error:
        return (error.message, error.position)
    return (tree, repr(tree))  # repr: positions too


@settings(max_examples=600, deadline=None)
@given(chain_soup)
def test_the_chain_shortcut_reads_like_github(source: str) -> None:
    """Reading `a.b.c` at once must give the very tree, positions and errors of token by token."""
    assert _outcome(source, chains=True) == _outcome(source, chains=False)


identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)
literals = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
).map(literal_source)
atoms = literals | identifiers


def _accessible(source: str) -> str:
    """`source` where `.` or `[` may follow: a context name as it is, anything else grouped."""
    named = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", source) and source not in KEYWORDS
    return source if named else f"({source})"


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "&&", "||"])
    return st.one_of(
        st.tuples(inner, identifiers).map(lambda t: f"{_accessible(t[0])}.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{_accessible(t[0])}[{t[1]}]"),
        inner.map(lambda s: f"{_accessible(s)}.*"),
        inner.map(lambda s: f"!{_accessible(s)}"),
        inner.map(lambda s: f"({s})"),
        st.tuples(inner, binary, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
    )


expressions = st.recursive(atoms, _compound, max_leaves=12)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_printing_a_tree_parses_back_to_it(source: str) -> None:
    tree = parse(source)
    printed = to_source(tree)
    assert parse(printed) == tree
    assert to_source(parse(printed)) == printed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_generated_expressions_evaluate_or_fail_cleanly(source: str) -> None:
    with contextlib.suppress(ExpressionEvaluationError):  # unknown names, format errors...
        evaluate(source, {"a": {"b": [1, {"c": "d"}]}, **CONTEXTS})
