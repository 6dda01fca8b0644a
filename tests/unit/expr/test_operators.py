"""Every operator against every pair of value kinds (GitHub's coercion rules, §3.2-3.3)."""

from __future__ import annotations

import math

import pytest

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr import evaluate

ARRAY = [1]
OBJECT = {"a": 1}
V = {
    "null": None,
    "t": True,
    "f": False,
    "zero": 0,
    "one": 1,
    "two": 2.0,
    "nan": math.nan,
    "inf": math.inf,
    "empty": "",
    "s0": "0",
    "s1": "1",
    "s_1_": " 1 ",
    "hex": "0x10",
    "sixteen": 16,
    "abc": "abc",
    "ABC": "ABC",
    "true_text": "true",
    "arr": ARRAY,
    "arr_same": ARRAY,
    "arr_copy": [1],
    "obj": OBJECT,
    "obj_same": OBJECT,
    "obj_copy": {"a": 1},
}
CONTEXTS = {"v": V}

EQUAL = [
    # null against each kind
    ("null", "null", True),
    ("null", "f", True),
    ("null", "t", False),
    ("null", "zero", True),
    ("null", "one", False),
    ("null", "empty", True),
    ("null", "s0", True),
    ("null", "abc", False),
    ("null", "arr", False),
    ("null", "obj", False),
    # booleans
    ("t", "t", True),
    ("t", "f", False),
    ("t", "one", True),
    ("t", "two", False),
    ("t", "s1", True),
    ("t", "true_text", False),  # 'true' is NaN as a number
    ("f", "zero", True),
    ("f", "empty", True),
    ("t", "arr", False),
    ("f", "obj", False),
    # numbers
    ("one", "one", True),
    ("one", "two", False),
    ("one", "s1", True),
    ("one", "s_1_", True),
    ("sixteen", "hex", True),
    ("zero", "empty", True),
    ("one", "abc", False),
    ("nan", "nan", False),
    ("inf", "inf", True),
    ("one", "arr", False),
    ("one", "obj", False),
    # strings
    ("abc", "ABC", True),
    ("abc", "abc", True),
    ("abc", "empty", False),
    ("s0", "empty", False),  # both strings: compared as text
    ("abc", "arr", False),
    ("abc", "obj", False),
    # arrays and objects: by identity only
    ("arr", "arr", True),
    ("arr", "arr_same", True),
    ("arr", "arr_copy", False),
    ("obj", "obj_same", True),
    ("obj", "obj_copy", False),
    ("arr", "obj", False),
]


@pytest.mark.parametrize(("left", "right", "expected"), EQUAL)
def test_equality(left: str, right: str, expected: bool) -> None:
    assert evaluate(f"v.{left} == v.{right}", CONTEXTS) is expected
    assert evaluate(f"v.{right} == v.{left}", CONTEXTS) is expected  # symmetric
    assert evaluate(f"v.{left} != v.{right}", CONTEXTS) is (not expected)


LESS = [
    ("one", "two", True),
    ("two", "one", False),
    ("one", "one", False),
    ("null", "one", True),
    ("null", "null", False),
    ("f", "t", True),
    ("t", "f", False),
    ("t", "two", True),
    ("s1", "two", True),  # '1' becomes 1
    ("abc", "one", False),  # NaN never orders
    ("one", "abc", False),
    ("nan", "one", False),
    ("one", "nan", False),
    ("one", "inf", True),
    ("empty", "one", True),  # '' is 0
    ("abc", "ABC", False),
    ("ABC", "abc", False),
    ("arr", "arr_copy", False),
    ("obj", "one", False),
    ("arr", "obj", False),
]


@pytest.mark.parametrize(("left", "right", "expected"), LESS)
def test_less_than(left: str, right: str, expected: bool) -> None:
    assert evaluate(f"v.{left} < v.{right}", CONTEXTS) is expected
    assert evaluate(f"v.{right} > v.{left}", CONTEXTS) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("v.one <= v.one", True),
        ("v.null <= v.null", True),
        ("v.null >= v.f", True),
        ("v.arr <= v.arr_same", True),  # equal by identity
        ("v.arr >= v.arr_copy", False),
        ("v.nan <= v.nan", False),
        ("v.abc >= v.ABC", True),
        ("v.two >= v.s1", True),
        ("v.t >= v.one", True),
    ],
)
def test_or_equal_operators(expression: str, expected: bool) -> None:
    assert evaluate(expression, CONTEXTS) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'a' < 'B'", True),  # case-insensitive
        ("'B' < 'a'", False),
        ("'a' < '_'", True),  # ordinal of upper case: 'A' (0x41) < '_' (0x5F)
        ("'abc' < 'abcd'", True),
        ("'Z' < 'ä'", True),
        ("'\U0001f600' > '\uffff'", False),  # UTF-16 code units: a surrogate sorts lower
        ("'straße' == 'STRASSE'", False),  # no length-changing folding
        ("'ı' == 'I'", False),  # .NET ordinal casing keeps the dotless i
        ("'é' == 'É'", True),
    ],
)
def test_string_ordering_is_ordinal_ignore_case(expression: str, expected: bool) -> None:
    assert evaluate(expression, {}) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("v.abc && v.one", 1),
        ("v.empty && v.one", ""),
        ("v.null || v.abc", "abc"),
        ("v.zero || v.empty", ""),
        ("v.one || v.missing", 1),
        ("v.arr && 'x'", "x"),
        ("v.nan || 'fallback'", "fallback"),
        ("v.f || v.null || 0 || 'last'", "last"),
        ("v.t && 1 && 'x' && v.empty && 'never'", ""),
    ],
)
def test_and_or_return_the_deciding_operand(expression: str, expected: object) -> None:
    assert evaluate(expression, CONTEXTS) == expected


def test_and_returns_the_very_object() -> None:
    assert evaluate("v.t && v.obj", CONTEXTS) is OBJECT


@pytest.mark.parametrize(
    "expression",
    [
        "false && fromJSON('not json')",
        "true || fromJSON('not json')",
        "v.zero && v.missing.deeper[fromJSON('x')]",
        "false && (true || fromJSON(''))",
    ],
)
def test_and_or_short_circuit(expression: str) -> None:
    evaluate(expression, CONTEXTS)  # the right side would fail if it were evaluated


def test_the_evaluated_side_does_fail() -> None:
    with pytest.raises(ExpressionEvaluationError):
        evaluate("true && fromJSON('not json')", {})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!v.null", True),
        ("!v.zero", True),
        ("!v.nan", True),
        ("!v.empty", True),
        ("!v.abc", False),
        ("!v.s0", False),
        ("!v.arr", False),
        ("!v.obj", False),
        ("!!v.abc", True),
        ("!v.one == false", True),  # ! binds tighter than ==
    ],
)
def test_not(expression: str, expected: bool) -> None:
    assert evaluate(expression, CONTEXTS) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 == 1 && 2 == 3 || true", True),  # && before ||
        ("true || false && false", True),
        ("1 < 2 == true", True),  # relational before equality
        ("2 > 1 == 1 > 2", False),
        ("(true || false) && false", False),
        ("!(1 == 1)", False),
        ("1 == 1 == true", True),  # left-associative
        ("'a' < 'b' < 'c'", False),  # (true) < 'c' compares 1 with NaN
    ],
)
def test_precedence(expression: str, expected: bool) -> None:
    assert evaluate(expression, {}) is expected
