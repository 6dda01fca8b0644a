"""`PUT /pulls/{n}/merge`: merge a pull request into its base branch in the bare repository,
record it (merged, closed) and fire `push` on the base branch (a hosted repository's: as a push
would, the ref listeners hear it too) then `pull_request` closed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conveyor.git.hosting import RefUpdate
from conveyor.git.pull_merges import Signature, merge_pull
from conveyor.server.forge_api import pull_actions
from conveyor.server.forge_api.bodies import choice, text
from conveyor.server.forge_api.errors import github_error
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.protection import refuse_unmet
from conveyor.server.forge_api.pull_events import fire
from conveyor.server.hosted_events import fire_pushed
from conveyor.server.hosting import is_hosted
from conveyor.store.forge_records import IssueChanges, PullChanges, PullRecord
from conveyor.store.rows import now

R = "PullRequest"
METHODS = ("merge", "squash", "rebase")


def _message(pull: PullRecord, given: Mapping[str, Any], method: str) -> str:
    number, issue = pull.issue.number, pull.issue
    default_title = (
        f"{issue.title} (#{number})" if method == "squash"
        else f"Merge pull request #{number} from {pull.head_ref}"
    )  # fmt: skip
    title = text(given, "commit_title", R) or default_title
    body = text(given, "commit_message", R)
    if body is None:
        body = issue.title if method == "merge" else (issue.body or "")
    return f"{title}\n\n{body}".rstrip("\n") + "\n"


def merge_request(
    repo: Hosted, pull: PullRecord, given: Mapping[str, Any], sender: str
) -> dict[str, object]:
    method = choice(given, "merge_method", R, METHODS) or "merge"
    sha = text(given, "sha", R)
    if pull.issue.state != "open" or pull.merged_at is not None:
        raise github_error(405, "Pull Request is not mergeable")
    if sha is not None and sha != pull.head_sha:
        raise github_error(409, "Head branch was modified. Review and try the merge again.")
    refuse_unmet(repo, pull)
    git = repo.git()
    base = git.find_commit(f"refs/heads/{pull.base_ref}")
    who = Signature(sender, f"{sender}@users.noreply.conveyor", pull_actions.now_iso())
    tip = None if base is None else merge_pull(
        git, pull.base_ref, base, pull.head_sha, method, _message(pull, given, method), who
    )  # fmt: skip
    if base is None or tip is None:
        raise github_error(405, "Pull Request is not mergeable")
    _record(repo, pull, base, tip, sender)
    return {"sha": tip, "merged": True, "message": "Pull Request successfully merged"}


def _record(repo: Hosted, pull: PullRecord, base: str, tip: str, sender: str) -> None:
    changes = PullChanges(merged_at=now(), merged_by=sender, merge_commit_sha=tip)
    repo.data.pulls.update(pull.issue.id, changes)
    repo.data.issues.update(repo.name, pull.issue.number, IssueChanges(state="closed"),
                            actor=sender)  # fmt: skip
    _pushed(repo, RefUpdate(repo.name, f"refs/heads/{pull.base_ref}", base, tip, sender))
    fire(repo, pull_actions.reload(repo, pull), "closed", sender)


def _pushed(repo: Hosted, update: RefUpdate) -> None:
    """The base branch moved as a push would move it: `push` (none for a job's token, as on
    GitHub), and the ref listeners hear it."""
    if is_hosted(repo.context.home, repo.record):
        starts = not update.pusher.startswith("job:")
        fire_pushed(repo.context, [update], repo.identity.server_url, starts)
