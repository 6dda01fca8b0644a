"""Conversions as GitHub makes them: number ↔ string, truthiness, value kinds."""

from __future__ import annotations

import math

import pytest

from conveyor.expr import evaluate, is_truthy, to_string
from conveyor.expr.numbers import canonical_number, format_number, parse_number
from conveyor.expr.values import FilteredArray, Kind, fold, kind_of


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (1, "1"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (-0.0, "0"),  # GitHub: format('{0}', -0) and toJSON(-0) are 0
        (0.1 + 0.2, "0.3"),  # 15 significant digits
        (1 / 3, "0.333333333333333"),
        (123456789012345, "123456789012345"),
        (1234567890123456, "1.23456789012346E+15"),
        (1e15, "1E+15"),
        (1e21, "1E+21"),
        (12345678901234567890.0, "1.23456789012346E+19"),
        (2**53, "9.00719925474099E+15"),
        (10**400, "Infinity"),  # a huge Python int is a double to GitHub
        (0.0001, "0.0001"),
        (0.00001, "1E-05"),
        (1.5e-7, "1.5E-07"),
        (1e-300, "1E-300"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
        ("text", "text"),
        ([], "Array"),
        ((1, 2), "Array"),
        (FilteredArray([1]), "Array"),
        ({}, "Object"),
        (object(), "Object"),
    ],
)
def test_to_string(value: object, text: str) -> None:
    assert to_string(value) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("", 0.0),
        ("   ", 0.0),
        (" 1 ", 1.0),
        ("\t\n1\u00a0", 1.0),  # .NET trims every Unicode white space
        ("1e3", 1000.0),
        ("1E+3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("+5", 5.0),
        ("-5.25", -5.25),
        ("08", 8.0),
        ("1e400", math.inf),
        ("0x10", 16.0),
        ("0xff", 255.0),
        ("0xFFFFFFFF", -1.0),  # an Int32 bit pattern
        ("0x7fffffff", 2147483647.0),
        ("0o17", 15.0),
        ("0o37777777777", -1.0),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
    ],
)
def test_parse_number(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "0X10",  # only a lower-case x
        "0x",
        "0x100000000",  # more than 32 bits
        "-0x10",
        "0o8",
        "1,000",
        "1_000",
        "infinity",
        "NaN",
        "inf",
        "1e",
        ".",
        "\u0661",  # ARABIC-INDIC DIGIT ONE: not a .NET invariant digit
        "\x1c1",  # not white space to .NET (it is to Python)
        "true",
    ],
)
def test_parse_number_gives_nan(text: str) -> None:
    assert math.isnan(parse_number(text))


def test_negative_zero_keeps_its_sign() -> None:
    assert math.copysign(1.0, parse_number("-0")) == -1.0
    assert format_number(-0.0) == "0"


@pytest.mark.parametrize(
    ("value", "canonical"),
    [(1.0, 1), (-3.0, -3), (0.5, 0.5), (2.0**53, 2**53), (2.0**54, 2.0**54), (-0.0, -0.0)],
)
def test_canonical_number(value: float, canonical: float) -> None:
    result = canonical_number(value)
    assert result == canonical
    assert type(result) is type(canonical)


@pytest.mark.parametrize("value", [None, False, 0, 0.0, -0.0, math.nan, ""])
def test_falsy_values(value: object) -> None:
    assert not is_truthy(value)


@pytest.mark.parametrize(
    "value", [True, 1, -1, 0.5, math.inf, "false", "0", " ", [], {}, (), FilteredArray(), object()]
)
def test_truthy_values(value: object) -> None:
    assert is_truthy(value)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, Kind.NULL),
        (True, Kind.BOOLEAN),
        (1, Kind.NUMBER),
        (1.5, Kind.NUMBER),
        ("", Kind.STRING),
        ([], Kind.ARRAY),
        ((), Kind.ARRAY),
        ({}, Kind.OBJECT),
        (object(), Kind.OBJECT),
    ],
)
def test_kind_of(value: object, kind: Kind) -> None:
    assert kind_of(value) is kind


@pytest.mark.parametrize(
    ("text", "folded"),
    [("abc", "ABC"), ("straße", "STRAßE"), ("ıi", "ıI"), ("éÉ", "ÉÉ"), ("ǆ", "Ǆ")],
)
def test_fold_is_ordinal_ignore_case(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0xff", 255),
        ("0o10", 8),
        ("1e3", 1000),
        (".5", 0.5),
        ("-.5", -0.5),
        ("+1", 1),
        ("1.", 1),
        ("1e400", math.inf),
        ("-Infinity", -math.inf),
        ("2.5e-3", 0.0025),
    ],
)
def test_number_literals(expression: str, expected: float) -> None:
    assert evaluate(expression, {}) == expected


def test_number_literal_types() -> None:
    assert type(evaluate("1.0", {})) is int
    assert type(evaluate("1.5", {})) is float
    assert math.isnan(evaluate("NaN", {}))  # type: ignore[arg-type]
    negative_zero = evaluate("-0", {})
    assert negative_zero == 0
    assert math.copysign(1.0, negative_zero) == -1.0  # type: ignore[arg-type]


def test_parse_number_reads_signed_infinity() -> None:
    assert parse_number("+Infinity") == math.inf
    assert parse_number(" -Infinity ") == -math.inf
