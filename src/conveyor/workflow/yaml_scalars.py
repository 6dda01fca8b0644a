"""Resolution of YAML scalars with the YAML 1.2 core schema, as GitHub reads workflow files.

`on`, `yes`, `no`, `y`, `off` are strings; booleans are only true/True/TRUE/false/False/FALSE;
numbers are decimal, `0o` octal or `0x` hex integers and 1.2 floats. Quoted scalars are strings.
"""

from __future__ import annotations

import re

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCTAL = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = frozenset({".nan", ".NaN", ".NAN"})

CORE_TAG = "tag:yaml.org,2002:"
_TAG_TYPES: dict[str, type | tuple[type, ...]] = {
    "null": type(None),
    "bool": bool,
    "int": int,
    "float": (int, float),
}


def resolve_plain(text: str) -> object:
    """The value of a plain (unquoted, untagged) scalar."""
    if text in _NULLS:
        return None
    first = text[0]
    if first in "tTfF":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text
    if first not in "0123456789+-.":
        return text
    return _resolve_number(text)


def _resolve_number(text: str) -> object:
    if _INT.match(text):
        return int(text)
    if _OCTAL.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INFINITY.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if text in _NAN:
        return float("nan")
    return text


_STYLES = {'"': "double-quoted", "'": "single-quoted", "|": "literal block", ">": "folded block"}


def style_mismatch(tag: str, style: str, text: str) -> str:
    """GitHub's reader refuses a tag other than !!str on a scalar that is not plain."""
    written = f'"{text}"' if style == '"' else f"'{text}'"
    return (
        f"the tag '{tag}' cannot be used on a {_STYLES.get(style, 'quoted')} scalar ({written}):"
        " GitHub accepts tags other than !!str on plain scalars only"
    )


def resolve_tagged(text: str, tag: str) -> tuple[object, bool]:
    """The value of a scalar with an explicit tag, and whether the tag is supported."""
    if tag == "!" or tag == CORE_TAG + "str":
        return text, True
    if not tag.startswith(CORE_TAG):
        return text, False
    kind = tag[len(CORE_TAG) :]
    value = resolve_plain(text) if text else None
    expected = _TAG_TYPES.get(kind)
    wrong_bool = isinstance(value, bool) and kind != "bool"
    if expected is None or not isinstance(value, expected) or wrong_bool:
        return text, False
    if kind == "float":
        return float(value), True  # type: ignore[arg-type]
    return value, True
