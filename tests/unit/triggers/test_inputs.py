"""workflow_dispatch / workflow_call inputs: types, required, defaults, options."""

from __future__ import annotations

import pytest

from conveyor.errors import UsageError
from conveyor.model.triggers import InputSpec
from conveyor.triggers import input_strings, resolve_call_inputs, resolve_dispatch_inputs

DECLARED = (
    InputSpec("logLevel", type="choice", options=("info", "warning", "debug"), default="warning"),
    InputSpec("dry_run", type="boolean", default=True),
    InputSpec("count", type="number", default=3),
    InputSpec("target", type="environment", required=True),
    InputSpec("note"),
)


def test_defaults_fill_omitted_inputs_and_types_are_kept() -> None:
    resolved = resolve_dispatch_inputs(DECLARED, {"target": "staging"})
    assert resolved == {
        "logLevel": "warning",
        "dry_run": True,
        "count": 3,
        "target": "staging",
        "note": "",
    }


def test_given_strings_are_converted_by_type_and_names_are_case_insensitive() -> None:
    given = {"LOGLEVEL": "debug", "dry_run": "false", "count": "2.5", "target": "prod"}
    resolved = resolve_dispatch_inputs(DECLARED, given)
    assert resolved["logLevel"] == "debug"
    assert resolved["dry_run"] is False
    assert resolved["count"] == 2.5
    assert input_strings(resolved) == {
        "logLevel": "debug",
        "dry_run": "false",
        "count": "2.5",
        "target": "prod",
        "note": "",
    }


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "workflow_dispatch input 'target' is required"),
        ({"target": ""}, "workflow_dispatch input 'target' is required"),
        ({"target": "x", "dry_run": "yes"}, "input 'dry_run' must be true or false, got 'yes'"),
        ({"target": "x", "count": "many"}, "input 'count' must be a number, got 'many'"),
        ({"target": "x", "count": "nan"}, "input 'count' must be a number, got 'nan'"),
        (
            {"target": "x", "logLevel": "trace"},
            "workflow_dispatch input 'logLevel' must be one of [info, warning, debug], got 'trace'",
        ),
        ({"target": "x", "extra": "1"}, "workflow_dispatch input 'extra' is not declared"),
    ],
)
def test_bad_inputs_raise_a_usage_error_naming_the_input(
    given: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_dispatch_inputs(DECLARED, given)
    assert message in str(caught.value)


def test_optional_inputs_without_default_get_their_types_empty_value() -> None:
    specs = (
        InputSpec("flag", type="boolean"),
        InputSpec("n", type="number"),
        InputSpec("pick", type="choice", options=("a", "b")),
    )
    assert resolve_dispatch_inputs(specs, {}) == {"flag": False, "n": 0, "pick": "a"}


def test_unknown_input_type_is_an_error() -> None:
    with pytest.raises(UsageError, match="unknown type 'date'"):
        resolve_dispatch_inputs((InputSpec("d", type="date"),), {})


def test_call_inputs_must_have_the_declared_type() -> None:
    specs = (InputSpec("flag", type="boolean"), InputSpec("n", type="number", default=1))
    assert resolve_call_inputs(specs, {"flag": True}) == {"flag": True, "n": 1}
    assert resolve_call_inputs(specs, {}) == {"flag": False, "n": 1}
    with pytest.raises(UsageError, match="input 'flag' must be a boolean, got 'true'"):
        resolve_call_inputs(specs, {"flag": "true"})
    with pytest.raises(UsageError, match="input 'n' must be a number"):
        resolve_call_inputs(specs, {"n": True})


def test_call_inputs_from_a_command_line_are_coerced() -> None:
    specs = (InputSpec("flag", type="boolean"), InputSpec("n", type="number"), InputSpec("s"))
    given = {"flag": "true", "n": "4", "s": "x"}
    assert resolve_call_inputs(specs, given, coerce_strings=True) == {
        "flag": True,
        "n": 4,
        "s": "x",
    }


def test_required_call_input_without_default_is_an_error() -> None:
    with pytest.raises(UsageError, match="workflow_call input 'token' is required"):
        resolve_call_inputs((InputSpec("token", required=True),), {})
