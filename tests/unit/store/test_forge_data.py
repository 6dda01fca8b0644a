"""The local forge's rows (`conveyor.store.forge_data`) on a real SQLite store: issues and pull
requests share one number sequence per repository, comments, labels, releases with private
asset files, statuses and check runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor.errors import UsageError
from conveyor.store import open_store
from conveyor.store.forge_data import ForgeData, forge_data
from conveyor.store.forge_records import CheckRunFields, IssueChanges, NewPull, NewRelease

REPO = "octo/app"
SHA = "a" * 40


@pytest.fixture
def data(conveyor_home: Path) -> Iterator[ForgeData]:
    store = open_store(conveyor_home)
    yield forge_data(store)
    store.close()


def test_issues_and_pulls_share_one_number_sequence_per_repository(data: ForgeData) -> None:
    first = data.issues.create(REPO, "first", "body", "alice")
    pull = data.pulls.create(REPO, NewPull("feature", "b", "bob", "feature", SHA, "main", SHA))
    other = data.issues.create("octo/other", "elsewhere", None, "alice")
    assert (first.number, pull.issue.number, other.number) == (1, 2, 1)
    assert pull.issue.is_pull
    assert not first.is_pull
    listed = data.issues.listing(REPO, state="open", offset=0, limit=30)
    assert [issue.number for issue in listed.items] == [2, 1]  # newest first, as GitHub
    assert data.pulls.get(REPO, 1) is None
    assert data.pulls.get(REPO, 2) == pull


def test_closing_an_issue_records_who_and_when(data: ForgeData) -> None:
    issue = data.issues.create(REPO, "bug", None, "alice")
    closed = data.issues.update(REPO, 1, IssueChanges(state="closed"), actor="bob")
    assert closed.state == "closed"
    assert closed.closed_by == "bob"
    assert closed.closed_at
    assert data.issues.listing(REPO, state="open", offset=0, limit=30).total == 0
    reopened = data.issues.update(REPO, issue.number, IssueChanges(state="open"), actor="bob")
    assert reopened.closed_at is None


def test_comments_are_counted_paged_edited_and_deleted(data: ForgeData) -> None:
    issue = data.issues.create(REPO, "talk", None, "alice")
    made = [data.comments.create(issue.id, "bob", f"c{n}") for n in range(5)]
    page = data.comments.listing(issue.id, offset=2, limit=2)
    assert ([c.body for c in page.items], page.total) == (["c2", "c3"], 5)
    assert data.issues.get(REPO, 1).comments == 5  # type: ignore[union-attr]
    edited = data.comments.update(made[0].id, "changed")
    assert edited is not None
    assert edited.body == "changed"
    assert edited.issue_number == 1
    assert data.comments.delete(made[1].id)
    assert not data.comments.delete(made[1].id)
    assert data.comments.get(REPO, made[1].id) is None
    assert data.comments.get("octo/other", made[0].id) is None  # another repository's


def test_labels_have_colours_and_are_created_when_added_by_name(data: ForgeData) -> None:
    data.labels.create(REPO, "bug", "d73a4a", "Something is broken")
    with pytest.raises(UsageError, match="already exists"):
        data.labels.create(REPO, "bug", "ffffff", None)
    issue = data.issues.create(REPO, "x", None, "alice")
    added = data.labels.add(issue.id, REPO, ["bug", "triage"])
    assert [(label.name, label.color) for label in added] == [
        ("bug", "d73a4a"),
        ("triage", "ededed"),
    ]
    assert [label.name for label in data.labels.set(issue.id, REPO, ["docs"])] == ["docs"]
    assert data.labels.remove(issue.id, REPO, "docs") is True
    assert data.labels.remove(issue.id, REPO, "docs") is False
    assert [label.name for label in data.labels.listing(REPO)] == ["bug", "docs", "triage"]


def test_releases_keep_their_assets_in_private_files(data: ForgeData, conveyor_home: Path) -> None:
    release = data.releases.create(REPO, NewRelease("v1.0", "main", "One", "notes"), "alice")
    assert data.releases.by_tag(REPO, "v1.0") == release
    asset = data.releases.add_asset(release.id, "app.tgz", "application/gzip", b"bytes", "alice")
    assert asset.size == 5
    assert asset.digest.startswith("sha256:")
    path = data.releases.asset_path(asset.id)
    assert path is not None
    assert path.read_bytes() == b"bytes"
    assert path.is_relative_to(conveyor_home)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert [a.name for a in data.releases.assets(release.id)] == ["app.tgz"]
    with pytest.raises(UsageError, match="already_exists"):
        data.releases.add_asset(release.id, "app.tgz", "application/gzip", b"x", "alice")


def test_statuses_and_check_runs_by_commit(data: ForgeData) -> None:
    data.checks.add_status(REPO, SHA, "pending", "ci", None, None, "bot")
    data.checks.add_status(REPO, SHA, "success", "ci", "ok", "http://x", "bot")
    assert [s.state for s in data.checks.statuses(REPO, SHA)] == ["success", "pending"]
    run = data.checks.create_run(REPO, SHA, "build", CheckRunFields(status="queued"))
    updated = data.checks.update_run(
        REPO, run.id, CheckRunFields(status="completed", conclusion="success", summary="fine")
    )
    assert updated is not None
    assert updated.conclusion == "success"
    assert updated.completed_at
    assert [r.id for r in data.checks.runs(REPO, SHA)] == [run.id]
