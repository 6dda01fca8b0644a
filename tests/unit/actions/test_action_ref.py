from __future__ import annotations

import pytest

from conveyor.engine.ports.actions import (
    ActionInvocation,
    ActionOutcome,
    ActionPhase,
    ActionRef,
    ActionRegistry,
    parse_action_ref,
)
from conveyor.model.results import Conclusion


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ("actions/checkout@v4", ActionRef("actions", "checkout", "", "v4")),
        ("actions/cache/restore@v4", ActionRef("actions", "cache", "restore", "v4")),
        ("o/r/a/b/@main", ActionRef("o", "r", "a/b", "main")),
        ("actions/checkout", None),
        ("./local", None),
        ("docker://alpine", None),
        ("", None),
    ],
)
def test_parse_action_ref(uses: str, expected: ActionRef | None) -> None:
    assert parse_action_ref(uses) == expected


def test_ref_name_and_text() -> None:
    ref = ActionRef("Actions", "Cache", "save", "v4")
    assert ref.name == "actions/cache/save"
    assert str(ref) == "Actions/Cache/save@v4"


class Handler:
    def run(self, invocation: ActionInvocation, console: object) -> ActionOutcome:
        return ActionOutcome(status=Conclusion.SUCCESS, outputs={"x": invocation.input("Who", "d")})


def test_registry_lookup_is_case_insensitive() -> None:
    registry = ActionRegistry({"Actions/Checkout": Handler()})
    assert registry.lookup(ActionRef("actions", "CHECKOUT", "", "v1")) is not None
    assert registry.lookup(ActionRef("actions", "checkout", "sub", "v1")) is None
    assert registry.names() == ("actions/checkout",)


def test_invocation_input_lookup() -> None:
    invocation = ActionInvocation(
        ref=ActionRef("a", "b", "", "v1"),
        phase=ActionPhase.MAIN,
        inputs={"Who": "me", "empty": ""},
        env={},
        workspace="/w",
        temp="/t",
        tool_cache="/tc",
        job_dir="/j",
        home="/h",
        run_id="1",
        job_key="k",
        repository="/r",
        sha=None,
    )
    assert invocation.input("who") == "me"
    assert invocation.input("empty", "fallback") == "fallback"
    assert invocation.input("missing") == ""
