"""The built-in functions and their edge cases (§3.4)."""

from __future__ import annotations

import math
import re

import pytest

from conveyor.errors import ExpressionError, ExpressionEvaluationError
from conveyor.expr import evaluate

CONTEXTS = {
    "env": {"empty": "", "list": ["a", "B", None], "obj": {"k": "v"}, "n": 3},
    "github": {"ref": "refs/heads/Main"},
}


def run(expression: str) -> object:
    return evaluate(expression, CONTEXTS)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("contains('Hello', 'ELL')", True),
        ("contains('Hello', '')", True),
        ("contains('', '')", True),
        ("contains('abc', 'abcd')", False),
        ("contains(123, 2)", True),
        ("contains(true, 'ru')", True),
        ("contains(null, 'null')", False),  # null is ''
        ("contains(1.50, '1.5')", True),
        ("contains('x', env.obj)", False),  # a non-primitive item
        ("contains(env.obj, 'k')", False),  # objects are not searched
        ("contains(env.list, 'b')", True),  # loose equality: ignores case
        ("contains(env.list, null)", True),
        ("contains(env.list, '')", True),  # null == ''
        ("contains(fromJSON('[1, 2]'), '2')", True),
        ("contains(fromJSON('[true]'), 'true')", False),
        ("contains(fromJSON('[]'), fromJSON('bad'))", False),  # empty: item not evaluated
        ("contains(github.ref, 'main')", True),
    ],
)
def test_contains(expression: str, expected: bool) -> None:
    assert run(expression) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("startsWith('Hello', 'he')", True),
        ("startsWith('Hello', '')", True),
        ("startsWith('Hello', 'lo')", False),
        ("startsWith(12.5, 12)", True),
        ("startsWith(env.list, 'a')", False),
        ("startsWith('a', env.list)", False),
        ("startsWith(env.obj, fromJSON('bad'))", False),  # second argument not evaluated
        ("endsWith('Hello', 'LO')", True),
        ("endsWith('Hello', 'he')", False),
        ("endsWith(true, 'e')", True),
        ("endsWith(null, '')", True),
        ("endsWith(env.obj, 'x')", False),
    ],
)
def test_starts_and_ends_with(expression: str, expected: bool) -> None:
    assert run(expression) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("format('{0} {1}', 'a', 1.0)", "a 1"),
        ("format('{1}{0}{1}', 'a', 'b')", "bab"),
        ("format('{{{0}}}', 'x')", "{x}"),
        ("format('}}{{')", "}{"),
        ("format('no args')", "no args"),
        ("format('{0}', null)", ""),
        ("format('{0}-{1}', env.list, env.obj)", "Array-Object"),
        ("format('{0}', -0.0)", "0"),  # GitHub writes negative zero as 0
        ("format('{0}', -0)", "0"),
        ("format('{00}', 'x')", "x"),
        ("format(1)", "1"),
        ("format('{0}', 'a', fromJSON('bad'))", "a"),  # unused arguments are not evaluated
        ("format('{0}{0}', env.n)", "33"),
    ],
)
def test_format(expression: str, expected: str) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("format('{0')", "Unclosed brackets. The following format string is invalid: '{0'"),
        (
            "format('{0}}', 1)",
            "Closing bracket without opening one. The following format string is invalid: '{0}}'",
        ),
        (
            "format('}')",
            "Closing bracket without opening one. The following format string is invalid: '}'",
        ),
        ("format('{}', 1)", "The following format string is invalid: '{}'"),
        ("format('{a}', 1)", "The following format string is invalid: '{a}'"),
        ("format('{256}', 1)", "The following format string is invalid: '{256}'"),
        (
            "format('{1}', 1)",
            "The following format string references more arguments than were supplied: '{1}'",
        ),
        (
            "format('{0:x}', 1)",
            "The format specifiers 'x' are not valid for objects of type 'Number'",
        ),
        (
            "format('{0} }', fromJSON('bad'))",
            "Closing bracket without opening one. The following format string is invalid: '{0} }'",
        ),  # the string is checked first
    ],
)
def test_format_errors(expression: str, message: str) -> None:
    with pytest.raises(ExpressionEvaluationError) as caught:
        run(expression)
    assert caught.value.message == message
    assert caught.value.expression == expression


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("join(env.list)", "a,B,"),
        ("join(env.list, ' | ')", "a | B | "),
        ("join(env.list, env.obj)", "a,B,"),  # a non-primitive separator is ignored
        ("join(env.list, null)", "aB"),
        ("join(fromJSON('[[1], {}]'), '-')", "Array-Object"),
        ("join(fromJSON('[\"only\"]'), fromJSON('bad'))", "only"),  # one item: no separator
        ("join(fromJSON('[]'), 'x')", ""),
        ("join('text', ',')", "text"),
        ("join(1.0)", "1"),
        ("join(null)", ""),
        ("join(env.obj)", ""),
    ],
)
def test_join(expression: str, expected: str) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("toJSON(null)", "null"),
        ("toJSON(true)", "true"),
        ("toJSON(1.0)", "1"),
        ("toJSON(3000000000)", "3000000000"),
        ("toJSON(1e21)", "1E+21"),
        ("toJSON(NaN)", "NaN"),
        ("toJSON(-0)", "0"),
        ("toJSON(fromJSON('[-0.0]'))", "[\n  0\n]"),
        ("toJSON('a\"b\\c\n')", '"a\\"b\\\\c\\n"'),
        ("toJSON(fromJSON('[]'))", "[]"),
        ("toJSON(fromJSON('{}'))", "{}"),
        ("toJSON(env.obj)", '{\n  "k": "v"\n}'),
        (
            'toJSON(fromJSON(\'{"a": [1, {"b": null}], "c": {}}\'))',
            '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {}\n}',
        ),
        ("toJSON('\u2028\x01é')", '"\\u2028\\u0001é"'),
    ],
)
def test_to_json(expression: str, expected: str) -> None:
    assert run(expression) == expected


def test_to_json_of_deep_and_cyclic_values() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(1200):  # deeper than Python's recursion limit; 5000 levels of indentation
        child: list[object] = []  # would be 25 M characters, beyond GitHub's memory budget
        node.append(child)
        node = child
    assert evaluate("toJSON(env.deep)", {"env": {"deep": deep}}).count("[") == 1201  # type: ignore[union-attr]
    cyclic: dict[str, object] = {}
    cyclic["self"] = cyclic
    with pytest.raises(ExpressionEvaluationError):
        evaluate("toJSON(env.c)", {"env": {"c": cyclic}})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("fromJSON('true')", True),
        ("fromJSON('null')", None),
        ("fromJSON('\"text\"')", "text"),
        ("fromJSON('1.5')", 1.5),
        ("fromJSON(' [1, \"a\"] ')", [1, "a"]),
        ('fromJSON(\'{"A": 1, "a": 2}\')', {"A": 2}),  # keys ignore case: the last wins
        ("fromJSON('123456789012345678901234567890')", 1.2345678901234568e29),
        ("fromJSON(toJSON(env.obj)).k", "v"),
        ("fromJSON(3)", 3),
    ],
)
def test_from_json(expression: str, expected: object) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "fromJSON('')",
        "fromJSON('   ')",
        "fromJSON('{')",
        "fromJSON('[1,]')",
        "fromJSON('1 2')",
        "fromJSON(null)",
        "fromJSON(format('{0}{1}', join(fromJSON('[\"[\"]')), ''))",
    ],
)
def test_from_json_errors(expression: str) -> None:
    with pytest.raises(ExpressionEvaluationError, match="fromJson"):
        run(expression)


def test_from_json_of_very_deep_text_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate("fromJSON(env.text)", {"env": {"text": "[" * 100_000 + "]" * 100_000}})


def test_from_json_of_nan() -> None:
    assert math.isnan(run("fromJSON('NaN')"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("case(true, 'a', 'b')", "a"),
        ("case(false, 'a', 'b')", "b"),
        ("case(false, 'a', 1 == 1, 'c', 'd')", "c"),
        ("case(env.n == 3, env.obj, null)", {"k": "v"}),
        ("case(true, 'a', fromJSON('bad'))", "a"),  # the default is not evaluated
    ],
)
def test_case(expression: str, expected: object) -> None:
    assert run(expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("case('yes', 'a', 'b')", "case predicate must evaluate to a boolean value"),
        ("case(1, 'a', 'b')", "case predicate must evaluate to a boolean value"),
        ("case(true, 'a', false, 'b')", "case requires an odd number of arguments"),
        ("case(true, 'a')", "Too few parameters supplied"),
    ],
)
def test_case_errors(expression: str, message: str) -> None:
    with pytest.raises(ExpressionEvaluationError, match=message):
        run(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("noSuchFunction()", "Unrecognized function: 'noSuchFunction'. Located at position 1"),
        ("count(env.list)", "Unrecognized function: 'count'"),  # not offered, as documented
        ("contains('a')", "Too few parameters supplied: 'contains'"),
        ("startsWith('a', 'b', 'c')", "Too many parameters supplied: 'startsWith'"),
        ("success(1)", "Too many parameters supplied: 'success'"),
        ("toJSON()", "Too few parameters supplied: 'toJSON'"),
        ("false && nothing()", "Unrecognized function: 'nothing'"),  # found before evaluating
    ],
)
def test_invalid_calls(expression: str, message: str) -> None:
    with pytest.raises(ExpressionEvaluationError, match=message):
        run(expression)


def test_format_accepts_255_parameters_and_no_more() -> None:
    args = ", ".join(["1"] * 254)
    assert run(f"format('{{253}}', {args})") == "1"
    with pytest.raises(ExpressionError, match="Too many parameters"):
        run(f"format('x', {args}, 1)")


def test_function_names_ignore_case() -> None:
    assert run("TOJSON(fromjson('[]'))") == "[]"
    assert run("StartsWith('abc', 'A')") is True


# GitHub's template evaluator gives each expression a 10 MiB budget (PipelineTemplateEvaluator
# .MaxResultSize → EvaluationOptions.MaxMemory); a string costs 26 + 2 bytes a character.
BIG = "x" * 1_000_000  # 2,000,026 bytes
MEMORY_CONTEXTS = {"env": {"big": BIG, "bigs": [BIG] * 6, "many": list(range(1_400_000))}}
MEMORY_ERROR = (
    "The maximum allowed memory size was exceeded while evaluating the following expression: "
)


@pytest.mark.parametrize(
    ("expression", "culprit"),
    [
        ("format('{0}{0}{0}{0}{0}{0}', env.big)", "format('{0}{0}{0}{0}{0}{0}', env.big)"),
        ("join(env.bigs, '')", "join(env.bigs, '')"),
        ("toJSON(env.bigs)", "toJSON(env.bigs)"),
        ("contains(env.many.*, 1)", "env.many.*"),
        ("format('{0}{1}', format('{0}{0}{0}', env.big), format('{0}{0}{0}', env.big))", ""),
    ],
)
def test_results_beyond_the_memory_budget_fail(expression: str, culprit: str) -> None:
    with pytest.raises(ExpressionEvaluationError, match="^" + re.escape(MEMORY_ERROR + culprit)):
        evaluate(expression, MEMORY_CONTEXTS)


def test_results_within_the_memory_budget_pass() -> None:
    assert len(evaluate("format('{0}{0}{0}{0}{0}', env.big)", MEMORY_CONTEXTS)) == 5_000_000  # type: ignore[arg-type]
    assert len(evaluate("join(fromJSON('[1,2]'), env.big)", MEMORY_CONTEXTS)) == 1_000_002  # type: ignore[arg-type]
    # Arguments are released once their call returns: four 6 MB strings, never two at once.
    check = "contains(format('{0}{0}{0}', env.big), 'y')"
    assert evaluate(" || ".join([check] * 4), MEMORY_CONTEXTS) is False


def test_doubling_a_string_stops_at_the_budget_without_exhausting_memory() -> None:
    expression = "'ab'"
    for _ in range(45):  # 2**45 characters if nothing stopped it
        expression = f"format('{{0}}{{0}}', {expression})"
    with pytest.raises(ExpressionEvaluationError, match=re.escape(MEMORY_ERROR)):
        evaluate(expression, {})
