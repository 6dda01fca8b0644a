"""act's TestReadWorkflow_* table: `on:` as a string, a list or a map, read by the loader into
the model that matching consumes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conveyor.errors import has_errors
from conveyor.model.triggers import Triggers
from conveyor.triggers import match_workflow
from conveyor.workflow import load_workflow
from tests.conftest import shared_params
from tests.unit.triggers.factories import push

JOBS = {"build": {"runs-on": "ubuntu-latest", "steps": [{"run": "echo ok"}]}}


def _cases(shared: Path) -> list[dict[str, Any]]:
    data = json.loads((shared / "act-corpus" / "filters.json").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["on_parsing"]
    return cases


def _load(on: object) -> tuple[Triggers | None, bool]:
    text = json.dumps({"on": on, "jobs": JOBS})  # JSON is YAML 1.2
    result = load_workflow("workflow.yml", text)
    triggers = result.workflow.on if result.workflow is not None else None
    return triggers, has_errors(result.diagnostics)


@pytest.mark.parametrize("case", shared_params(_cases), ids=lambda case: case["source"])
def test_act_on_parsing_table(case: dict[str, Any]) -> None:
    triggers, failed = _load(case["on"])
    if case.get("expect_error"):
        assert failed
        return
    if case["on"] is None:  # GitHub requires `on:`; act reads it as "no events"
        assert failed or (triggers is not None and triggers.names == ())
        return
    assert not failed
    assert triggers is not None
    if "events" in case:
        assert list(triggers.names) == case["events"]
    if "workflow_dispatch_config" in case:
        _check_dispatch(triggers, case["workflow_dispatch_config"])


def _check_dispatch(triggers: Triggers, expected: dict[str, Any] | None) -> None:
    dispatch = triggers.get("workflow_dispatch")
    if expected is None:
        assert dispatch is None
        return
    assert dispatch is not None
    declared = expected["inputs"] or {}
    assert [spec.name for spec in dispatch.inputs] == list(declared)
    for spec in dispatch.inputs:
        want = declared[spec.name]
        assert (spec.type, spec.description, spec.required, spec.default) == (
            want["type"],
            want["description"],
            want["required"],
            want["default"],
        )
        assert list(spec.options) == want["options"]


def test_the_table_has_every_row(shared: Path) -> None:
    assert len(_cases(shared)) == 11


def test_loaded_filters_are_what_matching_consumes() -> None:
    triggers, failed = _load({"push": {"branches": ["main"], "paths-ignore": ["docs/**"]}})
    assert not failed
    assert triggers is not None
    assert match_workflow(triggers, push("refs/heads/main", ["src/a.py"])).fires
    assert not match_workflow(triggers, push("refs/heads/main", ["docs/a.md"])).fires
    assert not match_workflow(triggers, push("refs/heads/dev", ["src/a.py"])).fires
