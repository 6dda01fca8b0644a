"""`github.ref` from a payload: act's TestSetRef table and the per-event rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conveyor.model.events import Event
from conveyor.triggers import pull_request_branches, ref_from_payload
from tests.conftest import shared_params


def _ref_cases(shared: Path) -> list[dict[str, Any]]:
    data = json.loads((shared / "act-corpus" / "filters.json").read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["ref_from_event"]
    return cases


@pytest.mark.parametrize(
    "case", shared_params(_ref_cases), ids=lambda case: str(case["event_name"])
)
def test_act_set_ref_table(case: dict[str, Any]) -> None:
    assumptions = case["assumptions"]
    head = assumptions["git_head_ref"]
    payload = case["event"] if isinstance(case["event"], dict) else {}
    ref = ref_from_payload(
        case["event_name"],
        payload,
        checked_out_ref=None if head.startswith("(") else head,
        base_ref=assumptions.get("base_ref"),
        default_branch=assumptions["default_branch_arg"] or None,
    )
    assert ref == case["expected_ref"]
    if "expected_ref_name" in case:
        assert Event(case["event_name"], ref=ref).ref_name == case["expected_ref_name"]


def test_the_ref_table_has_all_eight_rows(shared: Path) -> None:
    assert len(_ref_cases(shared)) == 8


@pytest.mark.parametrize(
    ("name", "payload", "expected"),
    [
        ("create", {"ref": "v1.0", "ref_type": "tag"}, "refs/tags/v1.0"),
        ("create", {"ref": "topic", "ref_type": "branch"}, "refs/heads/topic"),
        (
            "pull_request",
            {
                "action": "closed",
                "number": 3,
                "pull_request": {"merged": True, "base": {"ref": "main"}},
            },
            "refs/heads/main",
        ),
        (
            "pull_request",
            {"action": "closed", "number": 3, "pull_request": {"merged": False}},
            "refs/pull/3/merge",
        ),
        (
            "pull_request_target",
            {"repository": {"default_branch": "trunk"}, "pull_request": {"base": {"ref": "dev"}}},
            "refs/heads/trunk",
        ),
        ("pull_request_target", {"pull_request": {"base": {"ref": "dev"}}}, "refs/heads/dev"),
        (
            "schedule",
            {"schedule": "0 3 * * *", "repository": {"default_branch": "main"}},
            "refs/heads/main",
        ),
        ("issues", {"repository": {"default_branch": "develop"}}, "refs/heads/develop"),
        ("workflow_dispatch", {"ref": "refs/tags/v2"}, "refs/tags/v2"),
        ("deployment", {"deployment": {"ref": "release"}}, "refs/heads/release"),
    ],
)
def test_ref_per_event(name: str, payload: dict[str, Any], expected: str) -> None:
    assert ref_from_payload(name, payload) == expected


def test_pull_request_branches_come_from_base_and_head() -> None:
    payload = {"pull_request": {"base": {"ref": "main"}, "head": {"ref": "topic"}}}
    assert pull_request_branches(payload) == ("main", "topic")
    assert pull_request_branches({}) == (None, None)


@pytest.mark.parametrize(
    ("ref", "name", "kind"),
    [
        ("refs/heads/feature/x", "feature/x", "branch"),
        ("refs/tags/v1.2.3", "v1.2.3", "tag"),
        ("refs/pull/12/merge", "12/merge", "branch"),
        (None, "", ""),
    ],
)
def test_event_ref_name_and_type(ref: str | None, name: str, kind: str) -> None:
    event = Event("push", ref=ref)
    assert (event.ref_name, event.ref_type) == (name, kind)
