"""workflow_run fired by conveyor: GitHub's payload for an upstream run, which workflows it
triggers (names, types, branch filters on the upstream head branch), the 3-level chain limit."""

from __future__ import annotations

from conveyor.triggers.workflow_run import (
    MAX_CHAIN_DEPTH,
    UpstreamRun,
    chain_depth,
    triggered_workflows,
    workflow_run_event,
    workflow_run_payload,
)
from tests.unit.triggers.factories import on, trigger

SHA = "b" * 40


def upstream(**changes: object) -> UpstreamRun:
    values: dict[str, object] = {
        "id": 41,
        "name": "CI",
        "path": ".github/workflows/ci.yml",
        "repository": "acme/app",
        "event": "push",
        "status": "completed",
        "conclusion": "failure",
        "head_branch": "main",
        "head_sha": SHA,
        "run_number": 7,
        "run_attempt": 2,
        "created_at": 1_772_445_600.0,
        "updated_at": 1_772_445_660.0,
        "actor": "jane",
    }
    values.update(changes)
    return UpstreamRun(**values)  # type: ignore[arg-type]


def test_the_payload_has_githubs_workflow_run_fields() -> None:
    payload = workflow_run_payload(upstream(), "completed")
    assert payload["action"] == "completed"
    run = payload["workflow_run"]
    assert isinstance(run, dict)
    assert {key: run[key] for key in ("id", "name", "path", "event", "status", "conclusion")} == {
        "id": 41,
        "name": "CI",
        "path": ".github/workflows/ci.yml",
        "event": "push",
        "status": "completed",
        "conclusion": "failure",
    }
    assert (run["head_branch"], run["head_sha"]) == ("main", SHA)
    assert (run["run_number"], run["run_attempt"]) == (7, 2)
    assert (run["created_at"], run["updated_at"]) == (
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:01:00Z",
    )
    assert run["actor"] == {"login": "jane"}
    assert run["pull_requests"] == []
    assert payload["workflow"] == {"name": "CI", "path": ".github/workflows/ci.yml"}
    assert payload["repository"] == {
        "full_name": "acme/app",
        "name": "app",
        "owner": {"login": "acme"},
    }
    requested = workflow_run_payload(upstream(status="queued", conclusion=None), "requested")
    assert requested["workflow_run"]["conclusion"] is None  # type: ignore[index]


def test_which_workflows_an_upstream_run_triggers() -> None:
    candidates = [
        ("after-ci.yml", on(trigger("workflow_run", workflows=["CI"], types=["completed"]))),
        ("after-other.yml", on(trigger("workflow_run", workflows=["Build"]))),
        ("on-request.yml", on(trigger("workflow_run", workflows=["CI"], types=["requested"]))),
        ("main-only.yml", on(trigger("workflow_run", workflows=["CI"], branches=["main"]))),
        ("not-main.yml", on(trigger("workflow_run", workflows=["CI"], branches_ignore=["main"]))),
        ("push.yml", on("push")),
    ]
    event = workflow_run_event(
        workflow_run_payload(upstream(), "completed"), "refs/heads/main", SHA
    )
    fired, reasons = triggered_workflows(candidates, event)
    assert fired == ["after-ci.yml", "main-only.yml"]
    assert reasons["after-other.yml"] == "upstream workflow 'CI' is not in workflows [Build]"
    assert "action 'completed' is not in types [requested]" in reasons["on-request.yml"]
    assert "main" in reasons["not-main.yml"]
    assert reasons["push.yml"].startswith("the workflow does not run on workflow_run")
    feature = workflow_run_payload(upstream(head_branch="feature/x"), "requested")
    fired, _ = triggered_workflows(candidates, workflow_run_event(feature, "refs/heads/main", SHA))
    assert fired == ["on-request.yml", "not-main.yml"]


def test_the_chain_stops_after_three_levels() -> None:
    """A (a push) → B → C → D run; E, a fourth workflow_run link, does not."""
    candidates = [("next.yml", on(trigger("workflow_run", workflows=["CI"])))]
    payload: dict[str, object] = {"ref": "refs/heads/main"}
    fired_at_depth = {}
    for _ in range(4):
        payload = workflow_run_payload(upstream(), "completed", upstream_payload=payload)
        fired, reasons = triggered_workflows(
            candidates, workflow_run_event(payload, "refs/heads/main", SHA)
        )
        fired_at_depth[chain_depth(payload)] = (fired, reasons.get("next.yml"))
    assert MAX_CHAIN_DEPTH == 3
    assert fired_at_depth == {
        1: (["next.yml"], None),
        2: (["next.yml"], None),
        3: (["next.yml"], None),
        4: ([], "workflow_run chains stop after 3 levels (GitHub's limit)"),
    }
