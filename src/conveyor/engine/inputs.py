"""Typed inputs of a called reusable workflow (`with:` values passed by its caller).

The inputs of a workflow_dispatch / workflow_call event are checked and typed by
`conveyor.triggers` (`resolve_dispatch_inputs`, `resolve_call_inputs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from conveyor.engine.expressions import Contexts, evaluate_value, to_string
from conveyor.errors import PlanError
from conveyor.model.triggers import InputSpec
from conveyor.workflow.loose_equality import parse_number

_TYPE_DEFAULTS: Mapping[str, object] = {"boolean": False, "number": 0}


def call_inputs(
    specs: Sequence[InputSpec], given: Mapping[str, object], contexts: Contexts
) -> dict[str, object]:
    """The `inputs` context of a called workflow (with: values already evaluated).

    Declared types are checked (a value that converts unambiguously — 'true', '3' — is
    accepted); undeclared inputs and missing required ones are errors, as on GitHub.
    """
    declared = {spec.name.lower(): spec for spec in specs}
    for name in given:
        if name.lower() not in declared:
            raise PlanError(f"input '{name}' is not defined in the called workflow")
    values: dict[str, object] = {}
    for spec in specs:
        provided = _lookup(given, spec.name)
        if provided is _MISSING:
            if spec.required and spec.default is None:
                raise PlanError(f"input '{spec.name}' is required but was not provided")
            values[spec.name] = _default(spec, {**contexts, "inputs": values})
        else:
            values[spec.name] = convert(spec, provided)
    return values


_MISSING = object()


def _lookup(given: Mapping[str, object], name: str) -> object:
    if name in given:
        return given[name]
    return next((v for k, v in given.items() if k.lower() == name.lower()), _MISSING)


def _default(spec: InputSpec, contexts: Contexts) -> object:
    if spec.default is None:
        return _TYPE_DEFAULTS.get(spec.type, "")
    return convert(spec, evaluate_value(spec.default, contexts))


def convert(spec: InputSpec, value: object) -> object:
    """A value as the declared type: boolean, number, or string (string, choice, environment)."""
    if spec.type == "boolean":
        return _boolean(spec.name, value)
    if spec.type == "number":
        return _number(spec.name, value)
    return to_string(value)


def _boolean(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = to_string(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise PlanError(f"input '{name}' must be a boolean, not '{to_string(value)}'")


def _number(name: str, value: object) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    number = parse_number(to_string(value))
    if number != number or isinstance(value, bool):  # NaN
        raise PlanError(f"input '{name}' must be a number, not '{to_string(value)}'")
    return int(number) if number.is_integer() else number
