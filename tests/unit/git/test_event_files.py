"""Events from webhook payload files (`--eventpath`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.errors import UsageError
from conveyor.git import EventRequest, build_event, load_payload
from tests.unit.git.conftest import History

PAYLOADS = Path("reference", "webhook-payloads")  # in ../shared


def test_load_payload_errors_name_the_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"ref": "x",\n  oops}', encoding="utf-8")
    with pytest.raises(UsageError, match=r"bad\.json:2:3: malformed JSON"):
        load_payload(bad)
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UsageError, match="must be a JSON object"):
        load_payload(listed)
    with pytest.raises(UsageError, match="cannot read event payload"):
        load_payload(tmp_path / "missing.json")


@pytest.mark.integration
@pytest.mark.parametrize(
    ("example", "name", "ref", "sha", "action"),
    [
        ("push.forced.json", "push", "refs/heads/main", "f1b0931987cc", None),
        ("push.tag-created.json", "push", "refs/tags/simple-tag", "6113728f27ae", None),
        ("pull_request.opened.json", "pull_request", "refs/pull/2/merge", "ec26c3e57ca3", "opened"),
        ("pull_request.labeled.json", "pull_request", "refs/pull/2/merge", "c4295bd7", "labeled"),
        ("pull_request.closed-merged.json", "pull_request", "refs/heads/master", None, "closed"),
        ("pull_request.opened.json", "pull_request_target", "refs/heads/master", None, "opened"),
        ("release.published.json", "release", "refs/tags/0.0.1", None, "published"),
        ("create.tag.json", "create", "refs/tags/simple-tag", None, None),
        ("workflow_dispatch.default.json", "workflow_dispatch", "refs/heads/master", None, None),
        ("issues.opened.json", "issues", "refs/heads/master", None, "opened"),
    ],
)  # fmt: skip
def test_real_payloads(
    shared: Path,
    history: History,
    example: str,
    name: str,
    ref: str,
    sha: str | None,
    action: str | None,
) -> None:
    payloads = shared / PAYLOADS
    event = build_event(history.repo.root, EventRequest(name, eventpath=payloads / example))
    assert (event.ref, event.action) == (ref, action)
    if sha is not None:
        assert event.sha.startswith(sha)
    assert event.payload == json.loads((payloads / example).read_text(encoding="utf-8"))
    assert event.repository == event.payload["repository"]["full_name"]  # type: ignore[index]


@pytest.mark.integration
def test_pull_request_payload_branches_and_unknown_changes(shared: Path, history: History) -> None:
    path = shared / PAYLOADS / "pull_request.opened.json"
    event = build_event(history.repo.root, EventRequest("pull_request", eventpath=path))
    assert (event.base_ref, event.head_ref) == ("master", "changes")
    assert event.changed_files is None  # the payload's commits are not in this repository


@pytest.mark.integration
def test_push_payload_file_lists_are_used_when_commits_are_not_local(
    shared: Path, history: History
) -> None:
    path = shared / PAYLOADS / "push.forced.json"
    event = build_event(history.repo.root, EventRequest("push", eventpath=path))
    assert event.changed_files == ("README.md",)
    assert event.head_commit_message == "change 2"


@pytest.mark.integration
def test_local_payload_round_trip_uses_git_for_changes(history: History, tmp_path: Path) -> None:
    built = build_event(history.repo.root, EventRequest("push", ref="main", base=history.c1))
    path = tmp_path / "event.json"
    path.write_text(json.dumps(built.payload), encoding="utf-8")
    loaded = build_event(history.repo.root, EventRequest("push", eventpath=path))
    assert (loaded.ref, loaded.sha, loaded.before) == (built.ref, built.sha, built.before)
    assert loaded.changed_files == built.changed_files

    pull = build_event(history.repo.root, EventRequest("pull_request", head="docs"))
    path.write_text(json.dumps(pull.payload), encoding="utf-8")
    again = build_event(history.repo.root, EventRequest("pull_request", eventpath=path))
    assert again.changed_files == pull.changed_files == ("README.md", "docs/guide.md")
    assert again.sha == pull.sha
    assert again.head_commit_message == "Docs only"


@pytest.mark.integration
def test_dispatch_payload_inputs_merge_with_command_line_inputs(
    history: History, tmp_path: Path
) -> None:
    path = tmp_path / "dispatch.json"
    path.write_text(json.dumps({"ref": "refs/heads/docs", "inputs": {"a": "1", "b": "2"}}))
    request = EventRequest("workflow_dispatch", eventpath=path, inputs={"b": "3"})
    event = build_event(history.repo.root, request)
    assert event.inputs == {"a": "1", "b": "3"}
    assert (event.ref, event.sha) == ("refs/heads/docs", history.c4)


@pytest.mark.integration
def test_schedule_payload(history: History, tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps({"schedule": "0 3 * * *"}))
    event = build_event(history.repo.root, EventRequest("schedule", eventpath=path))
    assert event.schedule == "0 3 * * *"
    assert (event.ref, event.sha) == ("refs/heads/main", history.c5)
