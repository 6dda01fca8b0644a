"""Inputs of reusable-workflow calls (strict, as on GitHub)."""

from __future__ import annotations

import pytest

from conveyor.engine.inputs import call_inputs
from conveyor.errors import PlanError
from conveyor.model.triggers import InputSpec
from conveyor.workflow.loose_equality import loose_equals

SPECS = (
    InputSpec("required", required=True),
    InputSpec("with_default", default="default"),
    InputSpec("boolean", type="boolean"),
    InputSpec("number", type="number", default="${{ 2 }}"),
)


def test_call_inputs_are_strict() -> None:
    assert call_inputs(SPECS, {"required": 1, "number": "3.5"}, {}) == {
        "required": "1",
        "with_default": "default",
        "boolean": False,
        "number": 3.5,
    }
    with pytest.raises(PlanError, match="not defined"):
        call_inputs(SPECS, {"required": "x", "other": 1}, {})
    with pytest.raises(PlanError, match="required"):
        call_inputs(SPECS, {}, {})
    with pytest.raises(PlanError, match="must be a number"):
        call_inputs(SPECS, {"required": "x", "number": "many"}, {})


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("16", 16, True),
        ("abc", "ABC", True),
        (None, "", True),
        (None, 0, True),
        (True, "1", True),
        ("true", True, False),
        (" 1 ", 1, True),
        ("0x10", 16, True),
        (float("nan"), float("nan"), False),
        ({"a": 1}, {"a": 1}, False),
        ("1.0", 1, True),
        ("", 0, True),
        ("x", 0, False),
    ],
)
def test_loose_equality(left: object, right: object, expected: bool) -> None:
    assert loose_equals(left, right) is expected
