"""`${{ }}` in strings: finding them, interpolate, evaluate_value and evaluate_condition."""

from __future__ import annotations

import pytest

from conveyor.errors import ExpressionEvaluationError, ExpressionSyntaxError
from conveyor.expr import (
    ExpressionSpan,
    evaluate_condition,
    evaluate_value,
    find_expressions,
    interpolate,
)

CONTEXTS = {
    "github": {"ref": "refs/heads/main", "event_name": "push"},
    "matrix": {"os": "linux", "list": [1, 2], "flag": False, "n": 3.0},
    "env": {"EMPTY": ""},
}


@pytest.mark.parametrize(
    ("template", "spans"),
    [
        ("no expressions", []),
        ("${{ a }}", [ExpressionSpan(0, 8, "a", 4)]),
        (
            "x ${{a}} y ${{ b.c }}",
            [ExpressionSpan(2, 8, "a", 5), ExpressionSpan(11, 21, "b.c", 15)],
        ),
        ("${{ '}}' }}", [ExpressionSpan(0, 11, "'}}'", 4)]),
        ("${{ 'it''s }}' }}!", [ExpressionSpan(0, 17, "'it''s }}'", 4)]),
        ("${{}}", [ExpressionSpan(0, 5, "", 3)]),
        ("${{ a }}}", [ExpressionSpan(0, 8, "a", 4)]),
        ("$ {{ a }} ${ { b }}", []),
    ],
)
def test_find_expressions(template: str, spans: list[ExpressionSpan]) -> None:
    assert find_expressions(template) == spans


@pytest.mark.parametrize(("template", "position"), [("x ${{ a", 3), ("${{ 'a }}", 1)])
def test_unclosed_expression(template: str, position: int) -> None:
    with pytest.raises(ExpressionSyntaxError, match="The expression is not closed") as caught:
        find_expressions(template)
    assert caught.value.position == position  # 1-based offset of the "$"
    assert caught.value.expression == template


def test_span_offsets_locate_errors_in_the_template() -> None:
    template = "echo ${{  1 < ) }}"
    span = find_expressions(template)[0]
    with pytest.raises(ExpressionSyntaxError) as caught:
        interpolate(template, {})
    assert caught.value.position is not None
    assert template[span.source_start + caught.value.position - 1] == ")"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("plain ${not} $text {{ x }}", "plain ${not} $text {{ x }}"),
        ("${{ github.ref }}", "refs/heads/main"),
        ("ref=${{ github.ref }}, os=${{ matrix.os }}", "ref=refs/heads/main, os=linux"),
        ("${{ matrix.n }}", "3"),
        ("${{ matrix.flag }}", "false"),
        ("${{ matrix.list }}", "Array"),
        ("[${{ matrix.missing }}]", "[]"),
        ("{0} {{x}} ${{ 'a' }}", "{0} {{x}} a"),  # braces in the text stay as they are
        ("it's ${{ 'it''s' }}", "it's it's"),
        ("${{ '{{ literal }}' }}", "{{ literal }}"),
    ],
)
def test_interpolate(template: str, expected: str) -> None:
    assert interpolate(template, CONTEXTS) == expected


def test_an_empty_expression_is_an_error() -> None:
    with pytest.raises(ExpressionSyntaxError, match="An expression was expected"):
        interpolate("x ${{ }}", {})


def test_long_text_around_an_expression_hits_the_length_limit() -> None:
    # GitHub turns the template into one format() expression, which must stay within 21,000.
    with pytest.raises(ExpressionSyntaxError, match="Exceeded max expression length"):
        interpolate("x" * 21_000 + "${{ 1 }}", {})
    assert interpolate("x" * 20_000 + "${{ 1 }}", {}).endswith("x1")


def test_evaluation_errors_carry_the_expression() -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        interpolate("a ${{ fromJSON('{') }} b", {})
    assert "fromJSON" in caught.value.expression


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${{ matrix.list }}", [1, 2]),
        ("${{ matrix.flag }}", False),
        ("${{ matrix.n }}", 3.0),
        ("${{ fromJSON('{\"a\": 1}') }}", {"a": 1}),
        ("v${{ matrix.n }}", "v3"),
        (" ${{ matrix.flag }}", " false"),  # text around it: a string
        ("plain", "plain"),
        (3, 3),
        (None, None),
        (True, True),
        (
            {"k": "${{ matrix.os }}", "${{ not.a.key }}": ["${{ matrix.list }}", 1]},
            {"k": "linux", "${{ not.a.key }}": [[1, 2], 1]},
        ),
    ],
)
def test_evaluate_value(value: object, expected: object) -> None:
    result = evaluate_value(value, CONTEXTS)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("condition", "job_status", "expected"),
    [
        ("", "success", True),  # empty: success()
        ("  ", "failure", False),
        ("true", "success", True),
        ("true", "failure", False),  # implicit success() && (true)
        ("true", "cancelled", False),
        ("always()", "cancelled", True),
        ("failure()", "failure", True),
        ("failure()", "success", False),
        ("cancelled()", "cancelled", True),
        ("success() || failure() || cancelled()", "skipped", False),
        ("always()", "skipped", True),
        ("true", "skipped", False),
        ("!cancelled()", "failure", True),  # a status function: no implicit success()
        ("success() || failure()", "failure", True),
        ("github.event_name == 'push'", "success", True),
        ("github.event_name == 'push'", "failure", False),
        ("${{ github.event_name == 'push' }}", "success", True),
        ("${{ false }}", "success", False),
        ("${{ always() }}", "failure", True),
        ("true && ${{ false }}", "success", True),  # text around: a non-empty string
        ("${{ false }}\n", "success", True),  # the trailing newline of `if: |`
        ("${{ false }} && ${{ false }}", "failure", False),  # still success() && (...)
        ("format('{0}', always())", "failure", True),
        ("env.EMPTY", "success", False),
        ("matrix.list", "success", True),
    ],
)
def test_evaluate_condition(condition: str, job_status: str, expected: bool) -> None:
    assert evaluate_condition(condition, CONTEXTS, job_status=job_status) is expected


def test_a_bad_job_status_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="job_status"):
        evaluate_condition("true", {}, job_status="neutral")


def test_condition_errors() -> None:
    with pytest.raises(ExpressionSyntaxError):
        evaluate_condition("1 <", {})
    with pytest.raises(ExpressionEvaluationError, match="Unrecognized named-value: 'secrets'"):
        evaluate_condition("secrets.TOKEN != ''", {"github": {}})
