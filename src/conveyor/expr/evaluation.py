"""A compiled expression: its tree, its closure, and evaluation with errors made complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conveyor.errors import ExpressionEvaluationError
from conveyor.expr.compiler import compile_tree
from conveyor.expr.nodes import Expression
from conveyor.expr.scope import Compiled, Scope
from conveyor.expr.values import FilteredArray


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    tree: Expression
    run: Compiled

    def evaluate(self, contexts: Mapping[str, object], job_status: str = "success") -> object:
        """The value of the expression in `contexts`; a filtered array comes back as a list."""
        try:
            value = self.run(Scope(contexts, job_status))
        except ExpressionEvaluationError as exc:
            if not exc.expression:
                exc.expression = self.tree.source
            raise
        except RecursionError:
            raise ExpressionEvaluationError(
                "The value is nested too deeply to evaluate", self.tree.source
            ) from None
        return list(value) if type(value) is FilteredArray else value


def compile_expression(tree: Expression) -> CompiledExpression:
    """Compile a tree; unknown functions and wrong arities raise ExpressionEvaluationError."""
    return CompiledExpression(tree, compile_tree(tree))
