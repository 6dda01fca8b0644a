"""Tokens of the expression language and which token may follow which (GitHub's lexer rules).

GitHub checks the grammar largely in the lexer: every token kind lists the kinds that may precede
it, and a token in the wrong place becomes an UNEXPECTED token ("Unexpected symbol").
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class TokenKind(enum.IntEnum):  # IntEnum: hashing stays in C, which the lexer's sets need
    START_GROUP = enum.auto()  # "(" of a logical grouping
    START_INDEX = enum.auto()  # "["
    START_PARAMETERS = enum.auto()  # "(" of a function call
    END_GROUP = enum.auto()
    END_INDEX = enum.auto()
    END_PARAMETERS = enum.auto()
    SEPARATOR = enum.auto()  # ","
    DEREFERENCE = enum.auto()  # "."
    WILDCARD = enum.auto()  # "*"
    LOGICAL_OPERATOR = enum.auto()  # ! != == < <= > >= && ||
    NULL = enum.auto()
    BOOLEAN = enum.auto()
    NUMBER = enum.auto()
    STRING = enum.auto()
    PROPERTY_NAME = enum.auto()
    FUNCTION = enum.auto()
    NAMED_VALUE = enum.auto()
    UNEXPECTED = enum.auto()
    CHAIN = enum.auto()  # `a.b.*.c` or `.b.c` read at once: the lexer's shortcut, not GitHub's


class Token(NamedTuple):
    kind: TokenKind
    raw: str
    offset: int  # 0-based position in the expression
    value: object = None
    precedence: int = 0  # GitHub's operator precedence; 0 for operands

    @property
    def is_operator(self) -> bool:
        return self.precedence > 0


K = TokenKind

OPERATOR_KINDS = frozenset(
    {
        K.START_GROUP,
        K.START_INDEX,
        K.START_PARAMETERS,
        K.END_GROUP,
        K.END_INDEX,
        K.END_PARAMETERS,
        K.SEPARATOR,
        K.DEREFERENCE,
        K.LOGICAL_OPERATOR,
    }
)

START_KINDS = frozenset({K.START_GROUP, K.START_INDEX, K.START_PARAMETERS})
CLOSE_KINDS = frozenset({K.END_GROUP, K.END_INDEX, K.END_PARAMETERS})

# What may precede each kind (None: the start of the expression).
_OPERAND_START: frozenset[TokenKind | None] = frozenset(
    {None, K.SEPARATOR, K.START_GROUP, K.START_PARAMETERS, K.START_INDEX, K.LOGICAL_OPERATOR}
)
_AFTER_ACCESSIBLE: frozenset[TokenKind | None] = frozenset(
    {K.END_GROUP, K.END_PARAMETERS, K.END_INDEX, K.WILDCARD, K.PROPERTY_NAME, K.NAMED_VALUE}
)
_AFTER_OPERAND: frozenset[TokenKind | None] = _AFTER_ACCESSIBLE | {
    K.NULL,
    K.BOOLEAN,
    K.NUMBER,
    K.STRING,
}

ALLOWED_BEFORE: dict[TokenKind, frozenset[TokenKind | None]] = {
    K.START_GROUP: _OPERAND_START,
    K.START_INDEX: _AFTER_ACCESSIBLE,
    K.START_PARAMETERS: frozenset({K.FUNCTION}),
    K.END_GROUP: _AFTER_OPERAND,
    K.END_INDEX: _AFTER_OPERAND,
    K.END_PARAMETERS: _AFTER_OPERAND | {K.START_PARAMETERS},
    K.SEPARATOR: _AFTER_OPERAND,
    K.DEREFERENCE: _AFTER_ACCESSIBLE,
    K.WILDCARD: frozenset({K.START_INDEX, K.DEREFERENCE}),
    K.NULL: _OPERAND_START,
    K.BOOLEAN: _OPERAND_START,
    K.NUMBER: _OPERAND_START,
    K.STRING: _OPERAND_START,
    K.PROPERTY_NAME: frozenset({K.DEREFERENCE}),
    K.FUNCTION: _OPERAND_START,
    K.NAMED_VALUE: _OPERAND_START,
}
ALLOWED_BEFORE_NOT = _OPERAND_START  # unary "!" stands where an operand may start
ALLOWED_BEFORE_BINARY = _AFTER_OPERAND

# Where a "." starts a number (".5") rather than a property access.
NUMBER_DOT_AFTER = _OPERAND_START

PRECEDENCE: dict[TokenKind | str, int] = {
    K.START_GROUP: 20,
    K.START_INDEX: 19,
    K.START_PARAMETERS: 19,
    K.DEREFERENCE: 19,
    "!": 16,
    "<": 11,
    "<=": 11,
    ">": 11,
    ">=": 11,
    "==": 10,
    "!=": 10,
    "&&": 6,
    "||": 5,
    K.END_GROUP: 1,
    K.END_INDEX: 1,
    K.END_PARAMETERS: 1,
    K.SEPARATOR: 1,
}
"""Operator precedence by kind (logical operators by their text); operands have none."""
