"""Evaluating a step's raw values (`if`, `env`, `with`, `name`, ...) with conveyor.expr.

Every function raises `conveyor.errors.ExpressionError` (a ConveyorError) when an expression
is invalid; callers turn that into a failed step.
"""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.expr import evaluate_condition, evaluate_value, interpolate, is_truthy, to_string

Contexts = Mapping[str, object]


def condition_text(raw: object, default: str = "success()") -> str:
    """An `if:` as written (str, bool or None) → expression text."""
    if raw is None:
        return default
    if isinstance(raw, bool):
        return "true" if raw else "false"
    text = str(raw)
    return text if text.strip() else default


def check(raw: object, contexts: Contexts, status: str, default: str = "success()") -> bool:
    """An `if:` value, with the implicit `success()`, against the given job status word."""
    return evaluate_condition(condition_text(raw, default), contexts, job_status=status)


def text(raw: object, contexts: Contexts) -> str:
    """A value as a string: templates interpolated, other values converted as GitHub does."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return interpolate(raw, contexts) if "${{" in raw else raw
    return to_string(evaluate_value(raw, contexts))


def strings(raw: Mapping[str, object], contexts: Contexts) -> dict[str, str]:
    """`env:` / `with:` mappings: every value evaluated against the same contexts."""
    return {str(key): text(value, contexts) for key, value in raw.items()}


def flag(raw: object, contexts: Contexts) -> bool:
    """`continue-on-error`: a bool or an expression; truthiness as GitHub defines it."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    value = evaluate_value(raw, contexts)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return is_truthy(value)


def minutes(raw: object, contexts: Contexts) -> float | None:
    """`timeout-minutes` → a positive number of minutes, or None when unset."""
    if raw is None or raw == "":
        return None
    value = evaluate_value(raw, contexts) if isinstance(raw, str) else raw
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
