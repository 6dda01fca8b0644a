"""Lexing and parsing: GitHub's syntax errors, positions, precedence and limits."""

from __future__ import annotations

import contextlib
import math

import pytest

from conveyor.errors import ExpressionSyntaxError
from conveyor.expr import MAX_DEPTH, MAX_LENGTH, evaluate, parse
from conveyor.expr.nodes import (
    And,
    Call,
    Comparison,
    Index,
    Literal,
    NamedValue,
    Not,
    Or,
    Wildcard,
)


@pytest.mark.parametrize(
    ("expression", "message", "position"),
    [
        ("1 < )", "Unexpected symbol: ')'", 5),
        ("a b", "Unexpected symbol: 'b'", 3),
        ("1 2", "Unexpected symbol: '2'", 3),
        ("'abc", "Unexpected symbol: ''abc'", 1),
        ("'it''s", "Unexpected symbol: ''it''s'", 1),
        ('"double"', "Unexpected symbol: '\"double\"'", 1),
        ("a = b", "Unexpected symbol: '='", 3),
        ("a =b", "Unexpected symbol: '=b'", 3),
        ("a & b", "Unexpected symbol: '&'", 3),
        ("a | b", "Unexpected symbol: '|'", 3),
        ("1abc", "Unexpected symbol: '1abc'", 1),
        ("a*b", "Unexpected symbol: 'a*b'", 1),
        ("1.2.3", "Unexpected symbol: '1.2.3'", 1),
        ("0x", "Unexpected symbol: '0x'", 1),
        ("-", "Unexpected symbol: '-'", 1),
        ("$x", "Unexpected symbol: '$x'", 1),
        ("'a'.length", "Unexpected symbol: '.'", 4),  # no access after a literal
        ("'a'[0]", "Unexpected symbol: '['", 4),
        ("()", "Unexpected symbol: ')'", 2),
        ("a[]", "Unexpected symbol: ']'", 3),
        ("f(1,)", "Unexpected symbol: ')'", 5),
        ("f(,1)", "Unexpected symbol: ','", 3),
        ("(1, 2)", "Unexpected symbol: ','", 3),
        ("a[1, 2]", "Unexpected symbol: ','", 4),
        ("1)", "Unexpected symbol: ')'", 2),
        ("a]", "Unexpected symbol: ']'", 2),
        ("*", "Unexpected symbol: '*'", 1),
        ("a.*b", "Unexpected symbol: 'b'", 4),
        ("a.1", "Unexpected symbol: '1'", 3),
        ("!", "Unexpected end of expression: '!'", 1),
        ("1 <", "Unexpected end of expression: '<'", 3),
        ("(1", "Unexpected end of expression: '1'", 2),
        ("a[0", "Unexpected end of expression: '0'", 3),
        ("f(", "Unexpected end of expression: '('", 2),
        ("a.", "Unexpected end of expression: '.'", 2),
        ("a &&", "Unexpected end of expression: '&&'", 3),
    ],
)
def test_syntax_errors(expression: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(expression)
    error = caught.value
    assert error.message == (
        f"{message}. Located at position {position} within expression: {expression}"
    )
    assert error.position == position
    assert error.expression == expression


def test_the_issue_example() -> None:
    with pytest.raises(
        ExpressionSyntaxError,
        match=r"^Unexpected symbol: '\)'\. Located at "
        r"position 5 within expression: 1 < \)$",
    ):
        evaluate("1 < )", {})


@pytest.mark.parametrize("expression", ["", "   ", "\n\t"])
def test_an_empty_expression_is_null(expression: str) -> None:
    # GitHub's parser makes no tree from no tokens, and evaluating no tree gives null.
    assert parse(expression) == Literal(None)
    assert evaluate(expression, {}) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("+Infinity", math.inf), ("-Infinity", -math.inf), ("+Infinity == Infinity", True)],
)
def test_signed_infinity_literals(expression: str, expected: object) -> None:
    assert evaluate(expression, {}) == expected


def test_tree_shapes() -> None:
    assert parse("a.b['c'][0].*") == Index(
        Index(Index(Index(NamedValue("a"), Literal("b")), Literal("c")), Literal(0)), Wildcard()
    )
    assert parse("!a == b && c < d || e") == Or(
        (
            And(
                (
                    Comparison("==", Not(NamedValue("a")), NamedValue("b")),
                    Comparison("<", NamedValue("c"), NamedValue("d")),
                )
            ),
            NamedValue("e"),
        )
    )
    assert parse("f(g(), [1][0])".replace("[1][0]", "x[0]")) == Call(
        "f", (Call("g", ()), Index(NamedValue("x"), Literal(0)))
    )


def test_and_or_are_flattened() -> None:
    assert parse("a && (b && c) && d") == And(tuple(NamedValue(n) for n in "abcd"))
    assert parse("(a || b) || c") == Or(tuple(NamedValue(n) for n in "abc"))
    assert parse("a && (b || c)") == And((NamedValue("a"), Or((NamedValue("b"), NamedValue("c")))))


def test_keywords_after_a_dot_are_property_names() -> None:
    assert parse("a.true.null.NaN") == Index(
        Index(Index(NamedValue("a"), Literal("true")), Literal("null")), Literal("NaN")
    )


def test_keywords_are_case_sensitive() -> None:
    assert parse("TRUE") == NamedValue("TRUE")  # a context name, not the literal
    assert parse("true") == Literal(True)


def test_a_space_before_the_parenthesis_still_calls() -> None:
    assert parse("always ()") == Call("always", ())


def test_positions() -> None:
    tree = parse("github.ref == 'x'")
    assert isinstance(tree, Comparison)
    assert tree.position == 12
    assert tree.left.position == 7  # the "." of the access
    assert tree.right.position == 15
    assert tree.source == "github.ref == 'x'"


def test_maximum_length() -> None:
    longest = "'" + "x" * (MAX_LENGTH - 2) + "'"
    assert parse(longest) == Literal("x" * (MAX_LENGTH - 2))
    with pytest.raises(ExpressionSyntaxError, match=f"Exceeded max expression length {MAX_LENGTH}"):
        parse(longest + " ")


def test_maximum_depth() -> None:
    nested = "!" * (MAX_DEPTH - 1) + "a"  # MAX_DEPTH nodes deep
    assert parse(nested) is not None
    with pytest.raises(ExpressionSyntaxError, match=f"Exceeded max expression depth {MAX_DEPTH}"):
        parse("!" + nested)
    properties = "a" + ".b" * MAX_DEPTH
    with pytest.raises(ExpressionSyntaxError, match="depth"):
        parse(properties)


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 10_000 + "1" + ")" * 10_000,  # groups make no nodes: allowed, as on GitHub
        "!" * 10_000 + "a",
        "f(" * 5_000 + ")" * 5_000,
        "[" * 10_000,
        "a" + "[0]" * 5_000,
        "a && " * 4_000 + "a",  # one flat And
    ],
)
def test_deep_input_never_overflows_the_stack(expression: str) -> None:
    with contextlib.suppress(ExpressionSyntaxError):  # "depth" or "Unexpected": not a crash
        parse(expression)


def test_deeply_grouped_expression_evaluates() -> None:
    assert evaluate("(" * 10_000 + "1" + ")" * 10_000, {}) == 1


def test_parse_is_cached() -> None:
    assert parse("github.ref == 'cached'") is parse("github.ref == 'cached'")


def test_trees_are_immutable() -> None:
    tree = parse("a.b")
    with pytest.raises(AttributeError):
        tree.position = 3  # type: ignore[misc]
