"""GitHub's `pull_request` event for a pull request of the local forge (opened, edited,
closed, reopened, synchronize, labeled, unlabeled), handed to the server's RunStarter at
`refs/pull/N/merge` (the test merge; the head when they conflict)."""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.engine.ports.server_runs import EventRequest, StartedRuns
from conveyor.git.file_changes import file_changes
from conveyor.git.pull_merges import merged_tree
from conveyor.git.repository import GitRepository
from conveyor.git.webhook_objects import JsonObject
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.pull_shapes import PullFacts, full
from conveyor.server.forge_api.shapes import repository, user
from conveyor.store.forge_records import PullRecord


def pull_facts(git: GitRepository, pull: PullRecord) -> PullFacts:
    base = git.find_commit(f"refs/heads/{pull.base_ref}") or pull.base_sha
    since = git.merge_base(base, pull.head_sha) or base
    changes = file_changes(git, since, pull.head_sha)
    return PullFacts(
        mergeable=merged_tree(git, base, pull.head_sha) is not None,
        commits=len(git.commits(f"{base}..{pull.head_sha}")),
        additions=sum(change.additions for change in changes),
        deletions=sum(change.deletions for change in changes),
        changed_files=len(changes),
    )


def payload(
    repo: Hosted, pull: PullRecord, action: str, sender: str, extra: Mapping[str, object]
) -> JsonObject:
    facts = pull_facts(repo.git(), pull)
    return {
        "action": action,
        "number": pull.issue.number,
        "pull_request": full(repo, pull, facts),
        **extra,
        "repository": repository(repo),
        "sender": user(repo, sender),
    }


def fire(
    repo: Hosted, pull: PullRecord, action: str, sender: str,
    extra: Mapping[str, object] | None = None,
) -> StartedRuns:  # fmt: skip
    body = payload(repo, pull, action, sender, extra or {})
    number = pull.issue.number
    merge = repo.git().find_commit(f"refs/pull/{number}/merge")
    request = EventRequest(
        repository=repo.name,
        event_name="pull_request",
        payload=body,
        ref=f"refs/pull/{number}/merge",
        sha=merge or pull.head_sha,
    )
    return repo.context.starter.start(request)
