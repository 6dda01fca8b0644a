"""The lexer: GitHub's LexicalAnalyzer rules, fast.

One regular expression cuts the whole expression into chunks (strings, operators, punctuation,
numbers, words); a single pass then turns chunks into tokens. A token that may not follow the
previous one comes out as UNEXPECTED, which the parser reports as "Unexpected symbol". Numbers and
keywords run to the next boundary character, so `1abc` or `a*b` are single (unexpected) tokens, as
on GitHub. A `.` starts a number where an operand may start (`.5`) and is a property access
elsewhere.

For speed, property chains (`github.event.pull_request.head.sha`, `.outputs.*`) are read as one
CHAIN token when they stand where GitHub allows them; anything unusual is read again token by
token, so every error is reported exactly as GitHub's lexer would.
"""

from __future__ import annotations

import math
import re

from conveyor.expr.limits import WHITESPACE
from conveyor.expr.numbers import parse_number
from conveyor.expr.tokens import (
    ALLOWED_BEFORE,
    ALLOWED_BEFORE_BINARY,
    ALLOWED_BEFORE_NOT,
    NUMBER_DOT_AFTER,
    PRECEDENCE,
    Token,
    TokenKind,
)

K = TokenKind
_WS = re.escape(WHITESPACE)
_BOUNDARY = rf"()\[\],.!<>=&|{_WS}"
_NUMBER_BODY = rf"[^()\[\],!<>=&|{_WS}]*"  # a number runs on through "."
_TOKEN_TEXT = (
    rf"'(?:[^']|'')*+'|'[\s\S]*|!=|==|<=|>=|&&|\|\||[!<>]|[=&|][^{_BOUNDARY}]*"
    rf"|[()\[\],*.]|[+\-0-9]{_NUMBER_BODY}|[^{_BOUNDARY}]+"
)
_NAME = rf"[A-Za-z_][A-Za-z0-9_-]*(?=[{_BOUNDARY}]|\Z)"  # a name runs to a boundary
_SEGMENT = rf"\.(?:{_NAME}|\*)"
_CHAIN_TEXT = rf"{_NAME}(?:{_SEGMENT})+|(?:{_SEGMENT})+"
# Each finds (white space before, token text) tuples; the first also reads chains at once.
_FAST_CHUNK = re.compile(rf"([{_WS}]*)({_CHAIN_TEXT}|{_TOKEN_TEXT})")
_CHUNK = re.compile(rf"([{_WS}]*)({_TOKEN_TEXT})")
_DOT_NUMBER = re.compile(r"\." + _NUMBER_BODY)
_LEGAL_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)
_FUNCTION_AHEAD = re.compile(rf"[{_WS}]*\(")
_FIXED = {"[": K.START_INDEX, "]": K.END_INDEX, ",": K.SEPARATOR, "*": K.WILDCARD}
_FIXED |= dict.fromkeys(("!", "!=", "==", "<", "<=", ">", ">=", "&&", "||"), K.LOGICAL_OPERATOR)
_KEYWORD_VALUES = {
    "null": (K.NULL, None),
    "true": (K.BOOLEAN, True),
    "false": (K.BOOLEAN, False),
    "NaN": (K.NUMBER, math.nan),
    "Infinity": (K.NUMBER, math.inf),
}
_CLOSERS = {
    K.END_GROUP: K.START_GROUP,
    K.END_INDEX: K.START_INDEX,
    K.END_PARAMETERS: K.START_PARAMETERS,
}
_OPENERS = frozenset(_CLOSERS.values())
_BALANCED = _OPENERS | _CLOSERS.keys() | {K.SEPARATOR}
_WHITESPACE = frozenset(WHITESPACE)
_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
# What may precede a token, and its precedence: by kind, and by text for logical operators.
_RULES: dict[TokenKind | str, tuple[frozenset[TokenKind | None], int]] = {
    kind: (allowed, PRECEDENCE.get(kind, 0)) for kind, allowed in ALLOWED_BEFORE.items()
}
_RULES |= {op: (ALLOWED_BEFORE_BINARY, PRECEDENCE[op]) for op in ("!=", "==", "<", "<=", ">")}
_RULES |= {op: (ALLOWED_BEFORE_BINARY, PRECEDENCE[op]) for op in (">=", "&&", "||")}
_RULES["!"] = (ALLOWED_BEFORE_NOT, PRECEDENCE["!"])
_FIXED_RULES = {
    text: (kind, _RULES[text if kind is K.LOGICAL_OPERATOR else kind])
    for text, kind in _FIXED.items()
}
_new_token = tuple.__new__
_OPERAND_START = ALLOWED_BEFORE[K.NAMED_VALUE]
_AFTER_ACCESSIBLE = ALLOWED_BEFORE[K.DEREFERENCE]


class _Irregular(Exception):
    """A chain stands where GitHub would not accept it: read the expression token by token."""


def tokenize(text: str, *, chains: bool = True) -> tuple[list[Token], bool]:
    """All tokens of an expression (UNEXPECTED ones included), and whether a ( or [ is left open.

    With `chains=False` every token is read on its own (what the shortcut must agree with).
    """
    if chains:
        try:
            return _scan(text, _FAST_CHUNK)
        except _Irregular:
            pass
    return _scan(text, _CHUNK)


def _scan(text: str, chunks: re.Pattern[str]) -> tuple[list[Token], bool]:
    tokens: list[Token] = []
    opened: list[TokenKind] = []
    last: TokenKind | None = None
    rule: tuple[frozenset[TokenKind | None], int] | None
    position = resume = 0
    for space, chunk in chunks.findall(text):
        start = position + len(space)
        position = start + len(chunk)
        if start < resume:
            continue  # inside a ".5" number read from an earlier chunk
        fixed = _FIXED_RULES.get(chunk)
        if fixed is not None:
            kind, raw, value, rule = fixed[0], chunk, None, fixed[1]
        elif _is_chain(chunk):
            last = _chain_end(chunk, last)  # what GitHub's last token of the chain would be
            tokens.append(_new_token(Token, (K.CHAIN, chunk, start, None, 0)))
            continue
        else:
            classify = _keyword if chunk[0] in _WORD_START else _classify
            kind, raw, value = classify(chunk, text, start, last, opened)
            resume = start + len(raw)
            rule = _RULES.get(raw if kind is K.LOGICAL_OPERATOR else kind)
        if (
            rule is None
            or last not in rule[0]
            or (kind in _BALANCED and not _balance(kind, opened))
        ):
            token = Token(K.UNEXPECTED, raw, start)  # misplaced, unbalanced or malformed
        else:
            token = _new_token(Token, (kind, raw, start, value, rule[1]))
        tokens.append(token)
        last = token.kind
    return tokens, bool(opened)


def _is_chain(chunk: str) -> bool:
    """Only the chain pattern makes chunks like `a.b` or `.b` (numbers and strings aside)."""
    first = chunk[0]
    return (first == "." and len(chunk) > 1) or (first in _WORD_START and "." in chunk)


def _chain_end(chunk: str, last: TokenKind | None) -> TokenKind:
    """The kind of a chain's last token (a property name or `*`); _Irregular if misplaced."""
    if chunk[0] == ".":
        if last not in _AFTER_ACCESSIBLE:
            raise _Irregular  # e.g. ".e5" where a number may start, or "'a'.b"
    elif last not in _OPERAND_START or chunk[: chunk.index(".")] in _KEYWORD_VALUES:
        raise _Irregular  # e.g. "true.x"
    return K.WILDCARD if chunk[-1] == "*" else K.PROPERTY_NAME


def _classify(
    chunk: str, text: str, start: int, last: TokenKind | None, opened: list[TokenKind]
) -> tuple[TokenKind, str, object]:
    """Kind, raw text and value of a chunk that is not a fixed operator or punctuation."""
    first = chunk[0]
    if first == "'":
        if chunk.count("'") % 2 == 0:  # an unterminated string has an odd number of quotes
            return K.STRING, chunk, chunk[1:-1].replace("''", "'")
        return K.UNEXPECTED, chunk, None
    if chunk == "(":
        return (K.START_PARAMETERS if last is K.FUNCTION else K.START_GROUP), chunk, None
    if chunk == ")":
        call = bool(opened) and opened[-1] is K.START_PARAMETERS
        return (K.END_PARAMETERS if call else K.END_GROUP), chunk, None
    if chunk == ".":
        if last not in NUMBER_DOT_AFTER:
            return K.DEREFERENCE, chunk, None
        chunk = _DOT_NUMBER.match(text, start).group()  # type: ignore[union-attr]
        first = "0"
    if first in "+-0123456789":
        number = parse_number(chunk)
        return (K.NUMBER, chunk, number) if number == number else (K.UNEXPECTED, chunk, None)
    return _keyword(chunk, text, start, last, opened)


def _keyword(
    chunk: str, text: str, start: int, last: TokenKind | None, opened: list[TokenKind]
) -> tuple[TokenKind, str, object]:
    """A word: a property name after ".", a keyword literal, a function name or a named value."""
    if not _LEGAL_KEYWORD.fullmatch(chunk):
        return K.UNEXPECTED, chunk, None  # also "=x", "&x", "|x": lone = & |
    if last is K.DEREFERENCE:
        return K.PROPERTY_NAME, chunk, chunk
    if chunk in _KEYWORD_VALUES:
        kind, value = _KEYWORD_VALUES[chunk]
        return kind, chunk, value
    after = start + len(chunk)
    following = text[after : after + 1]
    call = following == "(" or (
        following in _WHITESPACE and _FUNCTION_AHEAD.match(text, after) is not None
    )
    return (K.FUNCTION if call else K.NAMED_VALUE), chunk, chunk


def _balance(kind: TokenKind, opened: list[TokenKind]) -> bool:
    """Track open ( and [; False for a closer or "," that does not fit the innermost one."""
    if kind in _OPENERS:
        opened.append(kind)
    elif kind is K.SEPARATOR:
        return bool(opened) and opened[-1] is K.START_PARAMETERS
    elif kind in _CLOSERS:
        if not opened or opened[-1] is not _CLOSERS[kind]:
            return False
        opened.pop()
    return True
