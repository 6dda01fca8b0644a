"""The engine's one door to `conveyor.expr`: values, text and job-level conditions.

Everything the planner evaluates before a job is dispatched goes through these functions, so the
rules for turning YAML values into typed values (GitHub's template reader) live in one place.

conveyor.expr is imported by the first value that holds an expression (or is a number): plain
strings, booleans, nulls and empty conditions give what it would give without loading it, so a
run without expressions never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from conveyor.expr import Expression

Contexts = Mapping[str, object]

_INSERT: Final = "insert"


def has_expression(value: object) -> bool:
    return isinstance(value, str) and "${{" in value


def evaluate_value(raw: object, contexts: Contexts) -> object:
    """A YAML value with GitHub's template semantics (one `${{ }}` keeps its type)."""
    if isinstance(raw, Mapping):
        return _evaluate_mapping(raw, contexts)
    if isinstance(raw, list | tuple):
        return [evaluate_value(item, contexts) for item in raw]
    if has_expression(raw):
        from conveyor import expr

        return expr.evaluate_value(raw, contexts)
    return raw


def evaluate_text(raw: object, contexts: Contexts) -> str:
    """A value as a string (null → '', true → 'true', 1.0 → '1')."""
    return to_string(evaluate_value(raw, contexts))


def evaluate_flag(raw: object, contexts: Contexts) -> bool:
    return is_truthy(evaluate_value(raw, contexts))


def to_string(value: object) -> str:
    """GitHub's string conversion (conveyor.expr's, which a string, bool or null does not need)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if type(value) is bool:
        return "true" if value else "false"
    from conveyor import expr

    return expr.to_string(value)


def is_truthy(value: object) -> bool:
    """GitHub's truthiness (conveyor.expr's, which a string, bool or null does not need)."""
    if value is None:
        return False
    if type(value) is bool or type(value) is str:
        return bool(value)
    from conveyor import expr

    return expr.is_truthy(value)


def is_insert_key(key: str) -> bool:
    """`${{ insert }}` as a mapping key merges the evaluated mapping into its parent."""
    text = key.strip()
    if not (text.startswith("${{") and text.endswith("}}")):
        return False
    return text[3:-2].strip().lower() == _INSERT


def _evaluate_mapping(raw: Mapping[object, object], contexts: Contexts) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in raw.items():
        name = str(key)
        if is_insert_key(name):
            inserted = evaluate_value(value, contexts)
            if isinstance(inserted, Mapping):
                result.update({str(k): v for k, v in inserted.items()})
            continue
        if has_expression(name):
            name = to_string(evaluate_value(name, contexts))
        result[name] = evaluate_value(value, contexts)
    return result


def condition_source(raw: object) -> str:
    """An `if:` value as expression text: YAML booleans and numbers become literals."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return to_string(raw)
    return str(raw)


def evaluate_condition(raw: object, contexts: Contexts, job_status: str) -> bool:
    """An `if:` (implicit `success()` when it calls no status function).

    `job_status` is success, failure, cancelled — or BLOCKED (an ancestor was skipped or
    cancelled), where success(), failure() and cancelled() are all false (conveyor.expr's
    "skipped" status).
    """
    source = condition_source(raw)
    if job_status == BLOCKED:
        source = source.strip()  # ` ${{ failure() }} ` reads as the one expression it wraps
    if source == "":  # the implicit success()
        return job_status == "success"
    from conveyor import expr

    return expr.evaluate_condition(source, contexts, job_status=job_status)


BLOCKED = "skipped"


# Contexts a step's `if:` may read and still be decided before the job runs: their values are
# the same in a dry run as in the run (not needs, env, steps, job, runner: a run changes them).
_KNOWN_BEFORE = frozenset({"github", "inputs", "vars", "matrix", "strategy", "secrets"})


def static_condition(raw: object, contexts: Contexts) -> bool | None:
    """A step's `if:` when it is decided before anything runs (it reads only contexts known
    then, calls no status function and no hashFiles), else None."""
    source = condition_source(raw).strip()
    if not source:
        return None
    from conveyor import expr
    from conveyor.errors import ConveyorError

    try:
        trees = [expr.parse(span.source) for span in expr.find_expressions(source)] or [
            expr.parse(source)
        ]
        if not all(_decided_before(tree) for tree in trees):
            return None
        return expr.evaluate_condition(source, contexts, job_status="success")
    except ConveyorError:
        return None


def _decided_before(tree: Expression) -> bool:
    from conveyor import expr

    if expr.uses_status_function(tree) or "hashfiles" in expr.called_functions(tree):
        return False
    return expr.referenced_contexts(tree) <= _KNOWN_BEFORE
