"""The engine's one door to `conveyor.expr`: values, text and job-level conditions.

Everything the planner evaluates before a job is dispatched goes through these functions, so the
rules for turning YAML values into typed values (GitHub's template reader) live in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from conveyor import expr

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
        return expr.evaluate_value(raw, contexts)
    return raw


def evaluate_text(raw: object, contexts: Contexts) -> str:
    """A value as a string (null → '', true → 'true', 1.0 → '1')."""
    return expr.to_string(evaluate_value(raw, contexts))


def evaluate_flag(raw: object, contexts: Contexts) -> bool:
    return expr.is_truthy(evaluate_value(raw, contexts))


def to_string(value: object) -> str:
    return expr.to_string(value)


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
            name = to_string(expr.evaluate_value(name, contexts))
        result[name] = evaluate_value(value, contexts)
    return result


def condition_source(raw: object) -> str:
    """An `if:` value as expression text: YAML booleans and numbers become literals."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return expr.to_string(raw)
    return str(raw)


def evaluate_condition(raw: object, contexts: Contexts, job_status: str) -> bool:
    """An `if:` (implicit `success()` when it calls no status function).

    `job_status` is success, failure, cancelled — or BLOCKED (an ancestor was skipped or
    cancelled), where success(), failure() and cancelled() are all false.
    """
    source = condition_source(raw)
    if job_status == BLOCKED:
        return _blocked_condition(source, contexts)
    return expr.evaluate_condition(source, contexts, job_status=job_status)


BLOCKED = "skipped"
_STATUS_CALL = re.compile(r"\b(?:success|failure|cancelled)\s*\(\s*\)", re.IGNORECASE)
_QUOTED = re.compile(r"('(?:[^']|'')*')")


def _blocked_condition(source: str, contexts: Contexts) -> bool:
    """conveyor.expr's status functions know three job statuses; this fourth one is evaluated
    by turning success(), failure() and cancelled() into `false` (always() stays true)."""
    inner = _single_expression(source)
    if inner is None:  # text mixed with `${{ }}`: a non-empty string, always true
        return expr.evaluate_condition(source, contexts)
    if not inner or not expr.uses_status_function(expr.parse(inner)):
        return False  # the implicit success() is false
    parts = _QUOTED.split(inner)
    rewritten = "".join(
        part if index % 2 else _STATUS_CALL.sub("false", part) for index, part in enumerate(parts)
    )
    return expr.is_truthy(expr.evaluate(rewritten, contexts))


def _single_expression(source: str) -> str | None:
    if "${{" not in source:
        return source.strip()
    spans = expr.find_expressions(source)
    stripped = source.strip()
    if len(spans) == 1 and source[spans[0].start : spans[0].end] == stripped:
        return spans[0].source
    return None
