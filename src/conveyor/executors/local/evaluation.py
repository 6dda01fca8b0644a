"""Evaluating a step's raw values (`if`, `env`, `with`, `name`, ...) with conveyor.expr.

Every function raises `conveyor.errors.ExpressionError` (a ConveyorError) when an expression
is invalid; callers turn that into a failed step.

conveyor.expr is imported by the first value that needs it: the default conditions, plain text
and booleans give what it would give without loading it (a job without expressions never does).
"""

from __future__ import annotations

from collections.abc import Mapping

Contexts = Mapping[str, object]
_STATUS_ONLY = {"success()": "success", "failure()": "failure", "cancelled()": "cancelled"}


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
    source = condition_text(raw, default)
    if source == "always()":
        return True
    if source in _STATUS_ONLY:  # one status function: is the job in that status
        return status == _STATUS_ONLY[source]
    from conveyor.expr import evaluate_condition

    return evaluate_condition(source, contexts, job_status=status)


def text(raw: object, contexts: Contexts) -> str:
    """A value as a string: templates interpolated, other values converted as GitHub does."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        if "${{" not in raw:
            return raw
        from conveyor.expr import interpolate

        return interpolate(raw, contexts)
    if isinstance(raw, bool):
        return "true" if raw else "false"
    from conveyor.expr import evaluate_value, to_string

    return to_string(evaluate_value(raw, contexts))


def strings(raw: Mapping[str, object], contexts: Contexts) -> dict[str, str]:
    """`env:` / `with:` mappings: every value evaluated against the same contexts."""
    return {str(key): text(value, contexts) for key, value in raw.items()}


def flag(raw: object, contexts: Contexts) -> bool:
    """`continue-on-error`: a bool or an expression; truthiness as GitHub defines it."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    from conveyor.expr import evaluate_value, is_truthy

    value = evaluate_value(raw, contexts)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return is_truthy(value)


def minutes(raw: object, contexts: Contexts) -> float | None:
    """`timeout-minutes` → a positive number of minutes, or None when unset."""
    if raw is None or raw == "":
        return None
    value = raw
    if isinstance(raw, str) and "${{" in raw:
        from conveyor.expr import evaluate_value

        value = evaluate_value(raw, contexts)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
