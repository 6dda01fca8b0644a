"""Payloads built from a real repository have the keys of GitHub's real example payloads, in the
same places and with the same JSON types, and the fields workflows commonly read are set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conveyor.git import EventRequest, build_event
from conveyor.model.events import ZERO_SHA
from tests.conftest import SHARED
from tests.unit.git.conftest import History

pytestmark = [pytest.mark.integration, pytest.mark.shared]  # reads PAYLOADS

PAYLOADS = SHARED / "reference" / "webhook-payloads"

# example file → how to build the same kind of event locally
PAIRS: dict[str, EventRequest] = {
    "push.forced.json": EventRequest("push", ref="main", base="topic"),
    "push.branch-created.json": EventRequest("push", ref="topic", base=ZERO_SHA),
    "push.tag-created.json": EventRequest("push", ref="v1.0"),
    "push.tag-deleted.json": EventRequest("push", ref="nightly", head=ZERO_SHA),
    "create.tag.json": EventRequest("create", ref="v1.0"),
    "pull_request.opened.json": EventRequest("pull_request"),
    "pull_request.synchronize.json": EventRequest("pull_request", action="synchronize"),
    "pull_request.labeled.json": EventRequest("pull_request", action="labeled", labels=("bug",)),
    "pull_request.closed.json": EventRequest("pull_request", action="closed"),
    "release.published.json": EventRequest("release", ref="v1.0"),
    "release.released.json": EventRequest("release", ref="v1.0", action="released"),
    "workflow_dispatch.default.json": EventRequest("workflow_dispatch", inputs={"name": "Mona"}),
    "issues.opened.json": EventRequest("issues"),
    "issues.labeled.json": EventRequest("issues", action="labeled", labels=("bug",)),
    "issues.edited.json": EventRequest("issues", action="edited"),
    "issue_comment.created.json": EventRequest("issue_comment"),
}

# Keys of the examples that a local event does not have, and why.
NOT_LOCAL = {
    "installation",  # GitHub App installations
    "enterprise",  # GHES / enterprise accounts
    "organization",  # repositories owned by an organization
}
# GitHub Actions' push payload omits the per-commit file lists (semantics §2.2).
OMITTED_BY_ACTIONS = ("added", "removed", "modified")

COMMONLY_READ = {
    "push": [
        "ref", "before", "after", "created", "deleted", "forced", "base_ref", "compare",
        "commits", "head_commit.id", "head_commit.message", "head_commit.timestamp",
        "head_commit.author.name", "head_commit.author.email", "head_commit.committer.name",
        "pusher.name", "pusher.email", "repository.full_name", "repository.name",
        "repository.owner.login", "repository.owner.name", "repository.default_branch",
        "repository.html_url", "repository.clone_url", "sender.login",
    ],
    "pull_request": [
        "action", "number", "pull_request.number", "pull_request.title", "pull_request.body",
        "pull_request.state", "pull_request.draft", "pull_request.merged",
        "pull_request.merged_at", "pull_request.merge_commit_sha", "pull_request.html_url",
        "pull_request.user.login", "pull_request.labels", "pull_request.head.ref",
        "pull_request.head.sha", "pull_request.head.repo.full_name", "pull_request.head.repo.fork",
        "pull_request.base.ref", "pull_request.base.sha", "pull_request.base.repo.full_name",
        "pull_request.changed_files", "pull_request.commits", "pull_request.additions",
        "pull_request.deletions", "repository.full_name", "sender.login",
    ],
    "create": ["ref", "ref_type", "master_branch", "pusher_type", "repository.full_name"],
    "release": [
        "action", "release.tag_name", "release.name", "release.draft", "release.prerelease",
        "release.target_commitish", "release.body", "release.assets", "release.html_url",
        "release.author.login", "repository.full_name", "sender.login",
    ],
    "workflow_dispatch": ["inputs", "ref", "workflow", "repository.full_name", "sender.login"],
    "issues": [
        "action", "issue.number", "issue.title", "issue.body", "issue.state", "issue.labels",
        "issue.user.login", "issue.html_url", "repository.full_name", "sender.login",
    ],
    "issue_comment": [
        "action", "issue.number", "issue.title", "comment.id", "comment.body",
        "comment.user.login", "comment.html_url", "repository.full_name", "sender.login",
    ],
}  # fmt: skip


def _shape(value: Any, prefix: str = "") -> dict[str, str]:
    """Every key path (lists: their first item) → JSON type; paths under null or [] stop there."""
    shape: dict[str, str] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            shape[path] = type(item).__name__
            shape.update(_shape(item, path))
    elif isinstance(value, list) and value:
        shape.update(_shape(value[0], prefix + "[]"))
    return shape


def _hollow(value: Any, prefix: str = "") -> set[str]:
    """Paths whose value is null or an empty list (a local PR has no milestone, assignees…)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            if item is None or item == []:
                found.add(path)
            found |= _hollow(item, path)
    elif isinstance(value, list) and value:
        found |= _hollow(value[0], prefix)
    return found


def _expected_paths(example: dict[str, Any], local: dict[str, Any]) -> dict[str, str]:
    hollow = _hollow(local)
    expected = {}
    for path, kind in _shape(example).items():
        parts = path.replace("[]", "").split(".")
        if parts[0] in NOT_LOCAL or parts[-1] in OMITTED_BY_ACTIONS:
            continue
        ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
        if any(ancestor in hollow for ancestor in ancestors):
            continue
        expected[path] = kind
    return expected


def _local_payload(history: History, name: str) -> dict[str, Any]:
    payload = build_event(history.repo.root, PAIRS[name]).payload
    loaded: dict[str, Any] = json.loads(json.dumps(payload))  # also proves it is plain JSON
    return loaded


@pytest.mark.parametrize("example_name", sorted(PAIRS))
def test_keys_and_types_match_the_real_example(history: History, example_name: str) -> None:
    example = json.loads((PAYLOADS / example_name).read_text(encoding="utf-8"))
    local = _local_payload(history, example_name)
    ours = _shape(local)
    expected = _expected_paths(example, local)
    missing = sorted(path for path in expected if path not in ours)
    assert missing == []
    mistyped = {
        path: (kind, ours[path])
        for path, kind in expected.items()
        if "NoneType" not in (kind, ours[path]) and kind != ours[path]
    }
    assert mistyped == {}


@pytest.mark.parametrize("example_name", sorted(PAIRS))
def test_commonly_read_fields_are_present(history: History, example_name: str) -> None:
    event = example_name.split(".")[0]
    example = _shape(json.loads((PAYLOADS / example_name).read_text(encoding="utf-8")))
    ours = _shape(_local_payload(history, example_name))
    present = [path for path in COMMONLY_READ[event] if path in example]
    assert len(present) >= len(COMMONLY_READ[event]) // 2  # the list fits the examples
    for path in present:
        assert path in ours, f"{path} is missing from the local {example_name}"


def test_top_level_key_order_matches_githubs(history: History) -> None:
    for name in ("push.forced.json", "pull_request.opened.json", "release.published.json"):
        example = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
        ours = _local_payload(history, name)
        expected = [key for key in example if key not in NOT_LOCAL and key in ours]
        assert [key for key in ours if key in example] == expected
