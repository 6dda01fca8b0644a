"""`workflow_dispatch` and `workflow_call` inputs: checked against the declarations, typed.

`inputs.<name>` keeps booleans and numbers typed; `github.event.inputs.<name>` holds strings.
Names match case-insensitively; an undeclared or ill-typed input is a UsageError naming it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from conveyor.errors import UsageError
from conveyor.model.triggers import InputSpec

DISPATCH_TYPES = frozenset({"string", "boolean", "number", "choice", "environment"})
CALL_TYPES = frozenset({"string", "boolean", "number"})


def resolve_dispatch_inputs(
    trigger_inputs: Sequence[InputSpec], given: Mapping[str, object]
) -> dict[str, object]:
    """Every declared input with its typed value: given (strings, as the API sends) or default.

    Omitted inputs take their default; without one, a required input is an error and an optional
    one gets its type's empty value (`''`, `false`, `0`; a choice its first option, as GitHub's
    form preselects it).
    """
    values = _match_names(trigger_inputs, given, "workflow_dispatch")
    resolved: dict[str, object] = {}
    for spec in trigger_inputs:
        raw = values.get(spec.name.lower(), spec.default)
        if spec.required and (raw is None or raw == ""):
            raise UsageError(f"workflow_dispatch input '{spec.name}' is required")
        resolved[spec.name] = _dispatch_value(spec, raw)
    return resolved


def resolve_call_inputs(
    trigger_inputs: Sequence[InputSpec],
    given: Mapping[str, object],
    *,
    coerce_strings: bool = False,
) -> dict[str, object]:
    """`inputs` of a called reusable workflow: `with:` values must have the declared type.

    With `coerce_strings` (inputs typed on a command line), `'true'`/`'false'` and numeric strings
    are converted for boolean and number inputs first.
    """
    values = _match_names(trigger_inputs, given, "workflow_call")
    resolved: dict[str, object] = {}
    for spec in trigger_inputs:
        name = spec.name.lower()
        if name not in values and spec.default is None and spec.required:
            raise UsageError(f"workflow_call input '{spec.name}' is required")
        value = values.get(name, spec.default)
        if coerce_strings and isinstance(value, str) and spec.type in ("boolean", "number"):
            value = _boolean(spec, value) if spec.type == "boolean" else _number(spec, value)
        resolved[spec.name] = _call_value(spec, value)
    return resolved


def input_strings(resolved: Mapping[str, object]) -> dict[str, str]:
    """The values as `github.event.inputs` shows them (strings)."""
    return {name: format_input(value) for name, value in resolved.items()}


def format_input(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _match_names(
    specs: Sequence[InputSpec], given: Mapping[str, object], event: str
) -> dict[str, object]:
    declared = {spec.name.lower() for spec in specs}
    values: dict[str, object] = {}
    for name, value in given.items():
        if name.lower() not in declared:
            names = ", ".join(spec.name for spec in specs) or "none"
            raise UsageError(f"{event} input '{name}' is not declared (declared: {names})")
        values[name.lower()] = value
    return values


def _dispatch_value(spec: InputSpec, raw: object) -> object:
    kind = spec.type or "string"
    if kind not in DISPATCH_TYPES:
        raise UsageError(f"workflow_dispatch input '{spec.name}' has unknown type '{kind}'")
    if kind == "boolean":
        return False if raw is None else _boolean(spec, raw)
    if kind == "number":
        return 0 if raw is None else _number(spec, raw)
    if kind == "choice":
        return _choice(spec, raw)
    return format_input(raw)


def _call_value(spec: InputSpec, value: object) -> object:
    kind = spec.type or "string"
    if kind not in CALL_TYPES:
        raise UsageError(f"workflow_call input '{spec.name}' has unknown type '{kind}'")
    if value is None:
        return {"boolean": False, "number": 0, "string": ""}[kind]
    expected = {"boolean": (bool,), "number": (int, float), "string": (str,)}[kind]
    if not isinstance(value, expected) or (kind == "number" and isinstance(value, bool)):
        raise UsageError(
            f"workflow_call input '{spec.name}' must be a {kind}, got {format_input(value)!r}"
        )
    return value


def _boolean(spec: InputSpec, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = format_input(raw).strip().lower()
    if text not in ("true", "false"):
        raise UsageError(f"input '{spec.name}' must be true or false, got {raw!r}")
    return text == "true"


def _number(spec: InputSpec, raw: object) -> int | float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    text = format_input(raw).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise UsageError(f"input '{spec.name}' must be a number, got {raw!r}")
    return number


def _choice(spec: InputSpec, raw: object) -> str:
    if raw is None:
        return spec.options[0] if spec.options else ""
    value = format_input(raw)
    if value not in spec.options:
        options = ", ".join(spec.options)
        raise UsageError(
            f"workflow_dispatch input '{spec.name}' must be one of [{options}], got {value!r}"
        )
    return value
