"""The parser: GitHub's operator-precedence (shunting-yard) algorithm, iterative throughout.

Being iterative, no input can exhaust Python's stack: 10,000 nested parentheses parse (groups make
no nodes), and a tree deeper than MAX_DEPTH is refused with a clear error, as GitHub does.
Function names and arities are not checked here (see `analysis.check_functions`).
"""

from __future__ import annotations

from conveyor.errors import ExpressionSyntaxError
from conveyor.expr.lexer import tokenize
from conveyor.expr.limits import MAX_DEPTH, MAX_LENGTH
from conveyor.expr.nodes import (
    And,
    Call,
    Comparison,
    Expression,
    Index,
    Literal,
    NamedValue,
    Not,
    Or,
    Wildcard,
    children,
)
from conveyor.expr.numbers import canonical_number
from conveyor.expr.tokens import CLOSE_KINDS, START_KINDS, Token, TokenKind

K = TokenKind
_FLUSH_STOPS = START_KINDS | {K.SEPARATOR}
_LITERALS = frozenset({K.NULL, K.BOOLEAN, K.STRING, K.PROPERTY_NAME})


def parse_tree(expression: str, *, chains: bool = True) -> Expression:
    """Parse one expression (without `${{ }}`) into its tree; raise ExpressionSyntaxError.

    An empty (or all white space) expression is null, as on GitHub; an empty `${{ }}` in a
    template is still an error (conveyor.expr.templates).

    `chains=False` turns off the lexer's property-chain shortcut (tests compare both ways).
    """
    if len(expression) > MAX_LENGTH:
        raise ExpressionSyntaxError(f"Exceeded max expression length {MAX_LENGTH}", expression)
    tokens, unclosed = tokenize(expression, chains=chains)
    if not tokens:
        return Literal(None, source=expression)  # GitHub: no tokens make no tree, its value null
    parser = _Parser(expression)
    root = parser.run(tokens, unclosed)
    if parser.nodes > MAX_DEPTH:
        check_depth(root)
    return root


def check_depth(root: Expression) -> None:
    """Refuse trees deeper than MAX_DEPTH (the root is at depth 1); no recursion."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionSyntaxError(f"Exceeded max expression depth {MAX_DEPTH}", root.source)
        stack.extend((child, depth + 1) for child in children(node))


def _error(description: str, token: Token, expression: str) -> ExpressionSyntaxError:
    message = (
        f"{description}: '{token.raw}'. "
        f"Located at position {token.offset + 1} within expression: {expression}"
    )
    return ExpressionSyntaxError(message, expression, token.offset + 1)


class _Parser:
    """One run of the algorithm: an operand stack of nodes, an operator stack of tokens, and the
    stack of function-name tokens whose argument lists are open."""

    __slots__ = ("calls", "empty_call", "expression", "nodes", "operands", "operators")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.operands: list[Expression] = []
        self.operators: list[Token] = []
        self.calls: list[Token] = []
        self.empty_call = False
        self.nodes = 0  # nodes made: a tree can only be as deep as it has nodes

    def run(self, tokens: list[Token], unclosed: bool) -> Expression:
        last = tokens[0]
        for token in tokens:
            kind = token.kind
            if kind is K.UNEXPECTED:
                raise _error("Unexpected symbol", token, self.expression)
            if token.precedence:
                if kind is K.START_PARAMETERS:
                    self.calls.append(last)  # the function name precedes its "("
                elif kind is K.END_PARAMETERS:
                    self.empty_call = last.kind is K.START_PARAMETERS
                self.push_operator(token)
            elif kind is K.CHAIN:
                self.chain(token)
            elif kind is not K.FUNCTION:  # a function becomes a node at its ")"
                self.operands.append(self.operand(token))
            last = token
        if self.operators and (unclosed or (last.precedence and last.kind not in CLOSE_KINDS)):
            raise _error("Unexpected end of expression", _last_of(last), self.expression)
        while self.operators:
            self.flush_top()
        if len(self.operands) != 1:  # cannot happen after the lexer's checks
            raise ExpressionSyntaxError("Unexpected end of expression", self.expression)
        return self.operands[0]

    def operand(self, token: Token) -> Expression:
        self.nodes += 1
        position, source = token.offset + 1, self.expression
        kind = token.kind
        if kind in _LITERALS:
            return Literal(token.value, position=position, source=source)  # type: ignore[arg-type]
        if kind is K.NAMED_VALUE:
            return NamedValue(token.raw, position=position, source=source)
        if kind is K.NUMBER:
            number = canonical_number(token.value)  # type: ignore[arg-type]
            return Literal(number, position=position, source=source)
        return Wildcard(position=position, source=source)

    def chain(self, token: Token) -> None:
        """`a.b.*` (a context and its accesses) or `.b.*` (accesses to the operand before)."""
        names = token.raw.split(".")
        head, source = names[0], self.expression
        node: Expression
        if head:
            node = NamedValue(head, position=token.offset + 1, source=source)
        else:
            while self.operators and self.operators[-1].kind is K.DEREFERENCE:
                self.flush_top()  # "a. b .c": the spaced-out "." applies first
            node = self.operands.pop()
        dot = token.offset + len(head)  # 0-based offset of the next "."
        for name in names[1:]:
            key: Expression = (
                Wildcard(position=dot + 2, source=source)
                if name == "*"
                else Literal(name, position=dot + 2, source=source)
            )
            node = Index(node, key, position=dot + 1, source=source)
            dot += 1 + len(name)
        self.nodes += 2 * len(names) - 1
        self.operands.append(node)

    def push_operator(self, token: Token) -> None:
        operators = self.operators
        if token.kind is not K.START_GROUP and token.raw != "!":  # left-associative
            precedence = token.precedence
            while operators:
                top = operators[-1]
                if top.kind in _FLUSH_STOPS or precedence > top.precedence:
                    break
                self.flush_top()
        operators.append(token)
        if token.kind in CLOSE_KINDS:
            self.flush_top()

    def flush_top(self) -> None:
        operator = self.operators.pop()
        kind = operator.kind
        if kind is K.END_GROUP:
            self.operators.pop()  # its "("
        elif kind is K.END_INDEX:
            bracket = self.operators.pop()
            self.push_node(bracket, 2)
        elif kind is K.END_PARAMETERS:
            self.close_call()
        else:
            self.push_node(operator, 1 if operator.raw == "!" else 2)

    def push_node(self, operator: Token, count: int) -> None:
        self.nodes += 1
        operands = self.operands
        position, source = operator.offset + 1, self.expression
        if count == 1:
            operands.append(Not(operands.pop(), position=position, source=source))
            return
        right, left = operands.pop(), operands.pop()
        raw = operator.raw
        if operator.kind is K.START_INDEX or operator.kind is K.DEREFERENCE:
            node: Expression = Index(left, right, position=position, source=source)
        elif raw == "&&" or raw == "||":
            node = _flattened(And if raw == "&&" else Or, left, right, position, source)
        else:
            node = Comparison(raw, left, right, position=position, source=source)
        operands.append(node)

    def close_call(self) -> None:
        """At a call's ")": gather its arguments (one more than the commas, or none)."""
        operators, operands = self.operators, self.operands
        count = 0
        if not self.empty_call:
            count = 1
            while operators[-1].kind is K.SEPARATOR:
                operators.pop()
                count += 1
        operators.pop()  # the "("
        split = len(operands) - count
        args = tuple(operands[split:])
        del operands[split:]
        name = self.calls.pop()
        self.nodes += 1
        operands.append(Call(name.raw, args, position=name.offset + 1, source=self.expression))


def _last_of(token: Token) -> Token:
    """The token itself, or for a chain its last name, which GitHub would have read alone."""
    if token.kind is not K.CHAIN:
        return token
    name = token.raw.rsplit(".", 1)[1]
    return Token(K.PROPERTY_NAME, name, token.offset + len(token.raw) - len(name))


def _flattened(
    kind: type[And] | type[Or], left: Expression, right: Expression, position: int, source: str
) -> Expression:
    """`a && (b && c)` is one And of three operands, as in GitHub's tree."""
    operands = (
        *(left.operands if isinstance(left, kind) else (left,)),
        *(right.operands if isinstance(right, kind) else (right,)),
    )
    return kind(operands, position=position, source=source)
