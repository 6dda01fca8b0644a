"""Numbers as GitHub sees them: every number is an IEEE double.

`parse_number` is GitHub's string → number coercion (ExpressionUtility.ParseNumber), `format_number`
its number → string conversion (.NET "G15"), `canonical_number` the Python value conveyor hands
back (an `int` when the double is integral and exactly representable, else a `float`).
"""

from __future__ import annotations

import math
import re

from conveyor.expr.limits import WHITESPACE

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_HEX = re.compile(r"0x[0-9a-fA-F]+", re.ASCII)
_OCTAL = re.compile(r"0o[0-7]+", re.ASCII)
_EXACT_INT_LIMIT = 2**53
_G15_INT_LIMIT = 10**15
NAN = math.nan
INF = math.inf


def parse_number(text: str) -> float:
    """Convert a string to a number: trimmed, '' → 0, decimal, 0x hex, 0o octal, else NaN."""
    text = text.strip(WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _HEX.fullmatch(text):
        return _int32_from_bits(int(text[2:], 16))
    if _OCTAL.fullmatch(text):
        return _int32_from_bits(int(text[2:], 8))
    if text in ("Infinity", "+Infinity"):
        return INF
    if text == "-Infinity":
        return -INF
    return NAN


def _int32_from_bits(value: int) -> float:
    """.NET parses hex/octal into an Int32 bit pattern: > 32 bits fails, the top bit is the sign."""
    if value > 0xFFFFFFFF:
        return NAN
    return float(value - 2**32 if value >= 2**31 else value)


def canonical_number(value: float) -> int | float:
    """The Python value for a double: `1.0` → `1`; NaN, infinities, -0 and fractions stay floats."""
    if not value.is_integer() or abs(value) > _EXACT_INT_LIMIT:
        return value
    if value == 0 and math.copysign(1.0, value) < 0:
        return value  # -0 stays a float: an int has no sign for zero
    return int(value)


def to_float(value: int | float) -> float:
    """A Python number as the double GitHub would hold (huge ints saturate to ±Infinity)."""
    try:
        return float(value)
    except OverflowError:
        return INF if value > 0 else -INF


def format_number(value: int | float) -> str:
    """.NET's `ToString("G15")`: 15 significant digits, exponent form below 1e-5 or from 1e15.

    Negative zero is written `0`, as GitHub writes it (`format('{0}', -0)`, `toJSON(-0)`).
    """
    if type(value) is int and -_G15_INT_LIMIT < value < _G15_INT_LIMIT:
        return str(value)
    number = to_float(value)
    if number == 0:
        return "0"
    if number != number:
        return "NaN"
    if number in (INF, -INF):
        return "Infinity" if number > 0 else "-Infinity"
    text = f"{number:.15g}"
    mantissa, marker, exponent = text.partition("e")
    if not marker:
        return text
    return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0').zfill(2)}"
