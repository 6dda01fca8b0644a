"""`jobs.<id>.strategy` evaluated when the job is ready: its legs, fail-fast and max-parallel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from conveyor.engine.expressions import (
    Contexts,
    evaluate_flag,
    evaluate_value,
    has_expression,
    is_insert_key,
    to_string,
)
from conveyor.errors import PlanError
from conveyor.model.workflow import Strategy
from conveyor.workflow.matrix import MatrixLeg, expand_matrix, narrow

_SINGLE = (MatrixLeg({}),)


@dataclass(frozen=True, slots=True)
class StrategyPlan:
    legs: tuple[MatrixLeg, ...] = _SINGLE
    is_matrix: bool = False
    fail_fast: bool = True
    max_parallel: int | None = None  # None: as many as the run's slots allow

    def context(self, index: int) -> dict[str, object]:
        """The `strategy` context of leg `index`."""
        total = len(self.legs)
        return {
            "fail-fast": self.fail_fast,
            "job-index": index,
            "job-total": total,
            "max-parallel": self.max_parallel if self.max_parallel is not None else total,
        }


def plan_strategy(
    strategy: Strategy | None,
    contexts: Contexts,
    matrix_filter: Mapping[str, Sequence[str]] | None = None,
) -> StrategyPlan:
    """Evaluate a strategy (contexts: github, needs, vars, inputs). Raises PlanError."""
    if strategy is None:
        return StrategyPlan()
    fail_fast = (
        evaluate_flag(strategy.fail_fast, contexts) if strategy.fail_fast is not None else True
    )
    max_parallel = _max_parallel(strategy.max_parallel, contexts)
    if strategy.matrix is None:
        return StrategyPlan(fail_fast=fail_fast, max_parallel=max_parallel)
    legs = expand_matrix(evaluate_matrix(strategy.matrix, contexts))
    if matrix_filter:
        legs = narrow(legs, matrix_filter)
    return StrategyPlan(legs, True, fail_fast, max_parallel)


def _max_parallel(raw: object, contexts: Contexts) -> int | None:
    if raw is None:
        return None
    value = evaluate_value(raw, contexts)
    try:
        number = int(float(to_string(value)))
    except ValueError:
        raise PlanError(f"max-parallel must be a number, not '{to_string(value)}'") from None
    if number < 1:
        raise PlanError("max-parallel must be at least 1")
    return number


def evaluate_matrix(raw: object, contexts: Contexts) -> dict[str, object]:
    """`strategy.matrix` as a plain mapping: a whole expression, or a mapping whose keys and
    values may hold expressions. In a vector, an item that is one expression yielding an array
    is spliced into the vector (act's behaviour, kept for compatibility)."""
    if isinstance(raw, str):
        value = evaluate_value(raw, contexts)
        if not isinstance(value, Mapping):
            raise PlanError(f"the matrix expression must give a mapping, not {to_string(value)!r}")
        return {str(key): item for key, item in value.items()}
    if not isinstance(raw, Mapping):
        raise PlanError("the matrix must be a mapping")
    matrix: dict[str, object] = {}
    for key, value in raw.items():
        name = str(key)
        if is_insert_key(name):
            inserted = evaluate_value(value, contexts)
            if isinstance(inserted, Mapping):
                matrix.update({str(k): v for k, v in inserted.items()})
            continue
        if has_expression(name):
            name = to_string(evaluate_value(name, contexts))
        matrix[name] = _evaluate_entry(name, value, contexts)
    return matrix


def _evaluate_entry(name: str, value: object, contexts: Contexts) -> object:
    if name.lower() in ("include", "exclude") or not isinstance(value, list | tuple):
        return evaluate_value(value, contexts)
    items: list[object] = []
    for item in value:
        evaluated = evaluate_value(item, contexts)
        if has_expression(item) and isinstance(evaluated, list):
            items.extend(evaluated)
        else:
            items.append(evaluated)
    return items
