"""What happens to a pull request of the local forge — opened, edited, closed or reopened,
labelled, pushed to, merged — kept in the bare repository (`refs/pull/N/head` and `/merge`) and
announced as GitHub's `pull_request` event (`pull_events.fire`).

`synchronize_branch()` is what a push to a branch calls: each open pull request whose head is
that branch moves to the new commit and fires `synchronize`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from conveyor import clock
from conveyor.engine.ports.server_runs import StartedRuns
from conveyor.git.identity import RepositoryIdentity
from conveyor.git.pull_merges import update_pull_refs
from conveyor.server.context import ServerContext
from conveyor.server.forge_api.errors import validation_failed
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.pull_events import fire
from conveyor.server.forge_api.shapes import label
from conveyor.store.forge_data import forge_data
from conveyor.store.forge_records import IssueRecord, LabelRecord, PullChanges, PullRecord


def now_iso() -> str:
    return datetime.fromtimestamp(clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refuse_reopening_merged(repo: Hosted, issue: IssueRecord, state: str | None) -> None:
    """422 for reopening a merged pull request, as GitHub answers."""
    if state != "open" or not issue.is_pull:
        return
    pull = repo.data.pulls.get(repo.name, issue.number)
    if pull is not None and pull.merged_at is not None:
        raise validation_failed("PullRequest", "state", "invalid")


def refresh_refs(repo: Hosted, pull: PullRecord) -> None:
    git = repo.git()
    base = git.find_commit(f"refs/heads/{pull.base_ref}") or pull.base_sha
    if base != pull.base_sha:
        repo.data.pulls.update(pull.issue.id, PullChanges(base_sha=base))
    update_pull_refs(git, pull.issue.number, base, pull.head_sha, now_iso())


def reload(repo: Hosted, pull: PullRecord) -> PullRecord:
    found = repo.data.pulls.get(repo.name, pull.issue.number)
    assert found is not None
    return found


def opened(repo: Hosted, pull: PullRecord, sender: str) -> StartedRuns:
    refresh_refs(repo, pull)
    return fire(repo, reload(repo, pull), "opened", sender)


def issue_changed(repo: Hosted, before: IssueRecord, after: IssueRecord, sender: str) -> None:
    """Fire what an edit of a pull request's issue fields means: edited, closed, reopened."""
    pull = repo.data.pulls.get(repo.name, after.number)
    assert pull is not None
    changes = {
        name: {"from": getattr(before, name)}
        for name in ("title", "body")
        if getattr(before, name) != getattr(after, name)
    }
    if changes:
        fire(repo, pull, "edited", sender, {"changes": changes})
    if before.state != after.state:
        if after.state == "open":
            refresh_refs(repo, pull)
        fire(repo, reload(repo, pull), "closed" if after.state == "closed" else "reopened", sender)


def base_changed(repo: Hosted, pull: PullRecord, old_base: str, sender: str) -> None:
    refresh_refs(repo, pull)
    changes = {"base": {"ref": {"from": old_base}, "sha": {"from": pull.base_sha}}}
    fire(repo, reload(repo, pull), "edited", sender, {"changes": changes})


def labels_changed(
    repo: Hosted, before: IssueRecord, after: Sequence[LabelRecord], sender: str
) -> None:
    pull = repo.data.pulls.get(repo.name, before.number)
    assert pull is not None
    old, new = {x.name: x for x in before.labels}, {x.name: x for x in after}
    for name in sorted(new.keys() - old.keys()):
        fire(repo, pull, "labeled", sender, {"label": label(repo, new[name])})
    for name in sorted(old.keys() - new.keys()):
        fire(repo, pull, "unlabeled", sender, {"label": label(repo, old[name])})


def synchronize_branch(
    context: ServerContext, repository: str, branch: str, server_url: str, sender: str,
    before: str | None = None, fires: bool = True,
) -> list[StartedRuns]:  # fmt: skip
    """After a push to `branch` of `repository`: every open pull request with that head moves to
    the branch's new commit and fires `synchronize` (with `before` and `after`); with `fires`
    False (a push made with a job's token, as GitHub's GITHUB_TOKEN) it moves and starts nothing."""
    record = context.served().get(repository)
    if record is None:
        return []
    owner, name = repository.split("/", 1)
    identity = RepositoryIdentity(owner, name, record.default_branch, server_url.rstrip("/"))
    repo = Hosted(record, forge_data(context.store), identity, context)
    started = []
    for pull in repo.data.pulls.open_with_head(repository, branch):
        started.append(_synchronize(repo, pull, sender, before, fires))
    return started


def _synchronize(
    repo: Hosted, pull: PullRecord, sender: str, before: str | None, fires: bool
) -> StartedRuns:
    head = repo.git().find_commit(f"refs/heads/{pull.head_ref}") or pull.head_sha
    old = before or pull.head_sha
    repo.data.pulls.update(pull.issue.id, PullChanges(head_sha=head))
    moved = reload(repo, pull)
    refresh_refs(repo, moved)
    if not fires:
        return StartedRuns(())
    return fire(repo, moved, "synchronize", sender, {"before": old, "after": head})
