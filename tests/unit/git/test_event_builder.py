"""build_event on a real repository: refs, SHAs, changed files and payload facts per event."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import UsageError
from conveyor.git import EventRequest, GitRepository, build_event
from conveyor.model.events import ZERO_SHA
from tests.unit.git.conftest import History
from tests.unit.git.repo_factory import make_repo

pytestmark = pytest.mark.integration


def test_push_defaults_to_the_checked_out_branch_and_its_last_commit(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push"))
    assert (event.ref, event.sha, event.before) == ("refs/heads/topic", history.c3, history.c2)
    assert event.changed_files == ("src/lib.py",)
    assert event.head_commit_message == "Add lib\n\nA longer body."
    payload = event.payload
    assert (payload["created"], payload["deleted"], payload["forced"]) == (False, False, False)
    assert [c["id"] for c in payload["commits"]] == [history.c3]  # type: ignore[index]
    assert payload["head_commit"]["id"] == history.c3  # type: ignore[index]
    assert payload["pusher"] == {"name": "Jane-Doe", "email": "jane@example.com"}
    assert event.repository == "octo/app"
    assert payload["repository"]["full_name"] == "octo/app"  # type: ignore[index]


def test_push_with_before_and_after(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push", ref="main", base=history.c1))
    assert event.sha == history.c5
    assert event.changed_files == ("src/app.py", "src/other.py")
    commits = event.payload["commits"]
    assert [c["id"] for c in commits] == [history.c2, history.c5]  # type: ignore[union-attr,index]


def test_force_push_is_detected(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push", ref="main", base=history.c3))
    assert event.payload["forced"] is True
    assert event.changed_files == ("src/lib.py", "src/other.py")


def test_created_branch_changes_come_from_its_new_commits(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push", ref="topic", base=ZERO_SHA))
    assert event.payload["created"] is True
    assert event.before == ZERO_SHA
    assert event.changed_files == ("src/lib.py",)
    assert len(event.payload["commits"]) == 1  # type: ignore[arg-type]


def test_created_branch_without_new_commits_has_no_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    repo.commit({"a.txt": "1"}, "one")
    repo.checkout("copy", create=True)
    event = build_event(repo.root, EventRequest("push", base=ZERO_SHA))
    assert event.changed_files == ()
    assert event.payload["commits"] == []


def test_first_push_of_a_root_commit_lists_every_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    repo.commit({"a.txt": "1", "b/c.txt": "2"}, "one")
    event = build_event(repo.root, EventRequest("push"))
    assert event.payload["created"] is True
    assert event.changed_files == ("a.txt", "b/c.txt")
    assert event.repository == "local/r"


def test_deleted_branch(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push", ref="docs", head=ZERO_SHA))
    assert event.payload["deleted"] is True
    assert (event.before, event.payload["created"]) == (history.c4, False)
    assert event.payload["head_commit"] is None
    assert event.changed_files == ()
    assert event.sha == history.c5  # falls back to the default branch


def test_tag_push(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("push", ref="v1.0"))
    assert (event.ref, event.sha, event.before) == ("refs/tags/v1.0", history.c2, ZERO_SHA)
    assert event.changed_files is None  # path filters do not apply to tags
    assert event.payload["commits"] == []
    assert event.payload["created"] is True


def test_pull_request_changes_come_from_the_merge_base(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("pull_request"))
    assert (event.base_ref, event.head_ref, event.action) == ("main", "topic", "opened")
    assert event.ref == "refs/pull/1/merge"
    assert event.changed_files == ("src/lib.py",)  # not main's later src/other.py
    pull = event.payload["pull_request"]
    assert pull["title"] == "Add lib"  # type: ignore[index]
    assert pull["body"] == "A longer body."  # type: ignore[index]
    assert pull["head"]["sha"] == history.c3  # type: ignore[index]
    assert pull["base"]["sha"] == history.c5  # type: ignore[index]
    assert (pull["commits"], pull["changed_files"], pull["additions"]) == (1, 1, 1)  # type: ignore[index]
    repo = GitRepository.open(history.repo.root)
    assert repo.commit(event.sha).parents == (history.c5, history.c3)  # the test merge commit
    assert pull["merge_commit_sha"] == event.sha  # type: ignore[index]


def test_pull_request_with_a_conflict_uses_the_head_commit(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("pull_request", head="clash"))
    assert event.sha == history.c6
    assert event.payload["pull_request"]["mergeable"] is False  # type: ignore[index]


def test_pull_request_with_shas_finds_branch_names(history: History) -> None:
    request = EventRequest("pull_request", base=history.c5, head=history.c4, action="synchronize")
    event = build_event(history.repo.root, request)
    assert (event.base_ref, event.head_ref) == ("main", "docs")
    assert event.payload["after"] == history.c4
    assert event.payload["before"] == history.c2


def test_closed_merged_and_labeled_pull_requests(history: History) -> None:
    labeled = build_event(
        history.repo.root, EventRequest("pull_request", action="labeled", labels=("bug", "ui"))
    )
    assert labeled.payload["label"]["name"] == "ui"  # type: ignore[index]
    names = [label["name"] for label in labeled.payload["pull_request"]["labels"]]  # type: ignore[index]
    assert names == ["bug", "ui"]
    closed = build_event(history.repo.root, EventRequest("pull_request", action="closed"))
    assert closed.payload["pull_request"]["state"] == "closed"  # type: ignore[index]
    assert closed.payload["pull_request"]["merged"] is False  # type: ignore[index]


def test_pull_request_target_runs_on_the_default_branch(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("pull_request_target"))
    assert (event.ref, event.sha) == ("refs/heads/main", history.c5)
    assert event.base_ref == "main"


def test_release_create_schedule_and_dispatch(history: History) -> None:
    root = history.repo.root
    release = build_event(root, EventRequest("release", ref="v1.0"))
    assert (release.ref, release.sha, release.action) == ("refs/tags/v1.0", history.c2, "published")
    assert release.payload["release"]["name"] == "Release 1.0"  # type: ignore[index]
    assert release.payload["release"]["body"] == "First release."  # type: ignore[index]
    create = build_event(root, EventRequest("create", ref="nightly"))
    assert (create.payload["ref"], create.payload["ref_type"]) == ("nightly", "tag")
    schedule = build_event(root, EventRequest("schedule"))
    assert (schedule.ref, schedule.sha) == ("refs/heads/main", history.c5)
    dispatch = build_event(root, EventRequest("workflow_dispatch", ref="docs", inputs={"a": "1"}))
    assert (dispatch.ref, dispatch.sha, dispatch.inputs) == (
        "refs/heads/docs",
        history.c4,
        {"a": "1"},
    )


def test_delete_event_runs_on_the_default_branch(history: History) -> None:
    event = build_event(history.repo.root, EventRequest("delete", ref="gone-branch"))
    assert (event.ref, event.sha) == ("refs/heads/main", history.c5)
    assert (event.payload["ref"], event.payload["ref_type"]) == ("gone-branch", "branch")
    tag = build_event(history.repo.root, EventRequest("delete", ref="nightly"))
    assert tag.payload["ref_type"] == "tag"
    with pytest.raises(UsageError, match="pass --ref"):
        build_event(history.repo.root, EventRequest("delete"))


def test_issue_events_run_on_the_default_branch(history: History) -> None:
    issue = build_event(
        history.repo.root, EventRequest("issues", action="labeled", labels=("bug",))
    )
    assert (issue.ref, issue.action) == ("refs/heads/main", "labeled")
    assert issue.payload["label"]["name"] == "bug"  # type: ignore[index]
    comment = build_event(history.repo.root, EventRequest("issue_comment"))
    assert comment.action == "created"
    assert "pull_request" not in comment.payload["issue"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (EventRequest("pushh"), "unknown event 'pushh' (did you mean 'push'?)"),
        (EventRequest("release", base="main"), "--base/--head apply to push"),
        (EventRequest("push", inputs={"a": "1"}), "--input applies to workflow_dispatch"),
        (EventRequest("push", ref="nope"), "unknown branch or tag 'nope'"),
        (EventRequest("push", base="deadbeef"), "unknown ref or SHA 'deadbeef'"),
        (EventRequest("pull_request", head="nope"), "unknown ref or SHA 'nope'"),
        (EventRequest("release", ref="main"), "unknown tag 'main'"),
        (EventRequest("pull_request", action="merged"), "unknown pull_request action 'merged'"),
    ],
)
def test_bad_requests_are_usage_errors(
    history: History, request_: EventRequest, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        build_event(history.repo.root, request_)
    assert message in str(caught.value)


def test_detached_head_needs_a_ref(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    sha = repo.commit({"a": "1"}, "one")
    repo.git("checkout", "-q", sha)
    with pytest.raises(UsageError, match="HEAD is detached"):
        build_event(repo.root, EventRequest("push"))
    assert build_event(repo.root, EventRequest("push", ref="main")).sha == sha


def test_repository_dispatch_has_its_event_type_as_action(history: History) -> None:
    # GitHub: the dispatch's event_type is github.event.action; branch and client_payload exist.
    request = EventRequest("repository_dispatch", action="deploy")
    event = build_event(history.repo.root, request)
    assert event.action == "deploy"
    assert event.payload["action"] == "deploy"
    assert event.payload["branch"] == "main"
    assert event.payload["client_payload"] == {}
    assert event.ref == "refs/heads/main"
