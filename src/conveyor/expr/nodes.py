"""The immutable expression tree.

Every node keeps `position` (1-based index of its token in `source`) and `source` (the expression
text it came from) for error messages; neither takes part in equality, so a tree printed back to
source and parsed again compares equal. `&&` and `||` are n-ary, as GitHub flattens them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LiteralValue = None | bool | int | float | str


@dataclass(frozen=True, slots=True)
class Expression:
    """Base of all expression nodes."""

    position: int = field(default=0, compare=False, kw_only=True)
    source: str = field(default="", compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True, eq=False)
class Literal(Expression):
    """null, a boolean, a number or a string."""

    value: LiteralValue

    def _key(self) -> tuple[str, str]:
        return type(self.value).__name__, repr(self.value)  # NaN equals NaN, -0.0 differs from 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Literal) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True, slots=True)
class NamedValue(Expression):
    """A context name such as `github` (looked up ignoring case)."""

    name: str


@dataclass(frozen=True, slots=True)
class Wildcard(Expression):
    """`*` in `.*` or `[*]`."""


@dataclass(frozen=True, slots=True)
class Index(Expression):
    """`target.key`, `target[key]`, `target.*` (key is a Wildcard)."""

    target: Expression
    key: Expression


@dataclass(frozen=True, slots=True)
class Call(Expression):
    """A function call; `name` as written (functions are looked up ignoring case)."""

    name: str
    args: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Not(Expression):
    operand: Expression


@dataclass(frozen=True, slots=True)
class Comparison(Expression):
    """`==`, `!=`, `<`, `<=`, `>`, `>=`."""

    operator: str
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class And(Expression):
    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Or(Expression):
    operands: tuple[Expression, ...]


def children(node: Expression) -> tuple[Expression, ...]:
    """The direct sub-expressions of a node, left to right."""
    if isinstance(node, Index):
        return (node.target, node.key)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, Comparison):
        return (node.left, node.right)
    if isinstance(node, And | Or):
        return node.operands
    return ()
