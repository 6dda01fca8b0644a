"""conveyor/stale against the local forge over real HTTP, with the clock override: marks, then
closes; honours exempt labels, remove-stale-when-updated and the operations budget."""

from __future__ import annotations

import json
import time
from pathlib import Path

from conveyor.engine.ports.actions import ActionOutcome
from conveyor.model.results import Conclusion
from tests.support.native_bots import LinesConsole, invocation, run_native
from tests.unit.forge_api.conftest import REPO, ROLE_TOKEN, Forge

DAY = 86400


def stale(
    forge: Forge, tmp: Path, days_ahead: float, **inputs: str
) -> tuple[ActionOutcome, LinesConsole, str]:
    github = {"api_url": forge.api, "repository": REPO, "token": ROLE_TOKEN["write"]}
    env = {"CONVEYOR_STALE_NOW": str(time.time() + days_ahead * DAY)}
    call = invocation("conveyor/stale@v1", tmp, inputs, github=github, env=env)
    console = LinesConsole()
    outcome = run_native(call, console)
    return outcome, console, outcome.summary


def open_issue(forge: Forge, title: str, labels: tuple[str, ...] = ()) -> int:
    with forge.client() as client:
        made = client.post(f"/repos/{REPO}/issues", json={"title": title, "labels": list(labels)})
    return int(made.json()["number"])


def issue(forge: Forge, number: int) -> dict[str, object]:
    with forge.client() as client:
        got: dict[str, object] = client.get(f"/repos/{REPO}/issues/{number}").json()
    return got


def labels(forge: Forge, number: int) -> list[str]:
    return [str(label["name"]) for label in issue(forge, number)["labels"]]


def test_marks_then_closes_with_the_clock_override(forge: Forge, tmp_path: Path) -> None:
    old = open_issue(forge, "old")
    pinned = open_issue(forge, "pinned", ("pinned",))
    inputs = {"stale-issue-message": "This is stale.", "exempt-issue-labels": "pinned, security",
              "days-before-issue-stale": "60", "days-before-issue-close": "14"}  # fmt: skip
    early, _, _ = stale(forge, tmp_path, 59, **inputs)
    marked, _console, summary = stale(forge, tmp_path, 61, **inputs)
    assert early.outputs["staled-issues-prs"] == "[]"
    assert [i["number"] for i in json.loads(marked.outputs["staled-issues-prs"])] == [old]
    assert labels(forge, old) == ["Stale"]
    assert labels(forge, pinned) == ["pinned"]
    with forge.client() as client:
        comments = client.get(f"/repos/{REPO}/issues/{old}/comments").json()
    assert [c["body"] for c in comments] == ["This is stale."]
    assert "marked stale | #" in summary
    _not_yet, _, _ = stale(forge, tmp_path, 13, **inputs)  # 13 days after marking
    assert issue(forge, old)["state"] == "open"
    closed, _, _ = stale(forge, tmp_path, 15, **inputs)
    assert closed.status is Conclusion.SUCCESS
    assert json.loads(closed.outputs["closed-issues-prs"])[0]["number"] == old
    assert issue(forge, old)["state"] == "closed"
    assert issue(forge, old)["state_reason"] == "not_planned"
    assert issue(forge, pinned)["state"] == "open"


def test_a_comment_after_marking_removes_the_stale_label(forge: Forge, tmp_path: Path) -> None:
    number = open_issue(forge, "talked about")
    inputs = {"stale-issue-message": "Stale?", "stale-issue-label": "no activity"}
    stale(forge, tmp_path, 61, **inputs)
    assert labels(forge, number) == ["no activity"]
    with forge.client() as client:
        client.post(f"/repos/{REPO}/issues/{number}/comments", json={"body": "still here"})
    stale(forge, tmp_path, 30, **inputs)
    assert labels(forge, number) == []
    assert issue(forge, number)["state"] == "open"


def test_the_operations_budget_stops_the_run_and_says_so(forge: Forge, tmp_path: Path) -> None:
    numbers = [open_issue(forge, f"issue {n}") for n in range(5)]
    inputs = {"stale-issue-message": "Stale.", "operations-per-run": "5"}
    outcome, console, summary = stale(forge, tmp_path, 61, **inputs)
    staled = json.loads(outcome.outputs["staled-issues-prs"])
    assert len(staled) == 2  # two writes each: comment + label; the third does not fit
    assert sum(labels(forge, n) == ["Stale"] for n in numbers) == 2
    assert "operations-per-run (5) spent" in console.text()
    assert "4 of 5 — spent" in summary


def test_pull_requests_use_their_own_days_and_a_dry_run_writes_nothing(
    forge: Forge, tmp_path: Path
) -> None:
    with forge.client() as client:
        made = {"title": "PR", "head": "feature", "base": "main"}
        pull = client.post(f"/repos/{REPO}/pulls", json=made).json()
    number = open_issue(forge, "an issue")
    inputs = {"days-before-issue-stale": "60", "days-before-pr-stale": "30", "debug-only": "true"}
    outcome, console, summary = stale(forge, tmp_path, 31, **inputs)
    staled = json.loads(outcome.outputs["staled-issues-prs"])
    assert [(s["number"], s["kind"]) for s in staled] == [(pull["number"], "pr")]
    assert f"[dry run] would POST /repos/{REPO}/issues/{pull['number']}/labels" in console.text()
    assert labels(forge, pull["number"]) == []
    assert labels(forge, number) == []
    assert "dry run" in summary


def test_bad_input_fails_clearly(forge: Forge, tmp_path: Path) -> None:
    outcome, _, _ = stale(forge, tmp_path, 0, **{"days-before-stale": "sixty"})
    assert outcome.status is Conclusion.FAILURE
    assert (
        outcome.error == "conveyor/stale: input `days-before-stale`: expected a number, got 'sixty'"
    )


def test_only_labels_and_any_of_labels_narrow_the_scope(forge: Forge, tmp_path: Path) -> None:
    both = open_issue(forge, "both", ("bug", "triage"))
    one = open_issue(forge, "one", ("bug",))
    other = open_issue(forge, "other", ("question",))
    only, _, _ = stale(forge, tmp_path, 61, **{"only-labels": "bug,triage", "debug-only": "true"})
    any_of, _, _ = stale(forge, tmp_path, 61, **{"any-of-issue-labels": "triage, question",
                                                 "debug-only": "true"})  # fmt: skip
    assert [s["number"] for s in json.loads(only.outputs["staled-issues-prs"])] == [both]
    assert sorted(s["number"] for s in json.loads(any_of.outputs["staled-issues-prs"])) == [
        both, other]  # fmt: skip
    assert one not in [s["number"] for s in json.loads(any_of.outputs["staled-issues-prs"])]
