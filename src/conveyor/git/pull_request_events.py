"""`pull_request` and `pull_request_target` events for a local base and head.

The base defaults to the default branch and the head to the checked-out branch; either may be a
branch, a tag or a SHA. Changed files come from the merge base (three-dot diff, the whole pull
request). Title and body are the head commit's subject and body. `github.sha` is a test merge
commit (written to the object store, unreferenced) as GitHub's `refs/pull/N/merge`; when base and
head conflict there is none and the head commit is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.errors import UsageError
from conveyor.git.commits import CommitInfo
from conveyor.git.local_context import LocalContext
from conveyor.git.pull_request_base import choose_base
from conveyor.git.webhook_objects import JsonObject, label_object, user_object, utc_timestamp
from conveyor.model.events import BRANCH_PREFIX, Event

PULL_REQUEST_ACTIONS = frozenset(
    {
        "assigned", "unassigned", "labeled", "unlabeled", "opened", "edited", "closed",
        "reopened", "synchronize", "converted_to_draft", "locked", "unlocked", "enqueued",
        "dequeued", "milestoned", "demilestoned", "ready_for_review", "review_requested",
        "review_request_removed", "auto_merge_enabled", "auto_merge_disabled",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PullRequestSpec:
    """What a local pull request looks like (everything GitHub would know but git does not)."""

    action: str = "opened"
    number: int = 1
    labels: tuple[str, ...] = ()
    draft: bool = False
    merged: bool = False


@dataclass(frozen=True, slots=True)
class _Side:
    branch: str
    sha: str


@dataclass(frozen=True, slots=True)
class _Diff:
    files: tuple[str, ...]
    additions: int
    deletions: int
    commits: int


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything the `pull_request` object is made from."""

    ctx: LocalContext
    spec: PullRequestSpec
    base: _Side
    head: _Side
    head_commit: CommitInfo
    diff: _Diff
    merge_sha: str | None

    @property
    def api(self) -> str:
        return f"{self.ctx.identity.api_url}/repos/{self.ctx.identity.full_name}"

    @property
    def html(self) -> str:
        return f"{self.ctx.identity.html_url}/pull/{self.spec.number}"

    @property
    def date(self) -> str:
        return utc_timestamp(self.head_commit.committer.date)

    @property
    def closed(self) -> bool:
        return self.spec.action == "closed"

    @property
    def merged(self) -> bool:
        return self.closed and self.spec.merged


def pull_request_event(
    ctx: LocalContext,
    *,
    name: str = "pull_request",
    base: str | None = None,
    head: str | None = None,
    spec: PullRequestSpec = PullRequestSpec(),
) -> Event:
    return pull_request_event_noted(ctx, name=name, base=base, head=head, spec=spec)[0]


def pull_request_event_noted(
    ctx: LocalContext,
    *,
    name: str = "pull_request",
    base: str | None = None,
    head: str | None = None,
    spec: PullRequestSpec = PullRequestSpec(),
) -> tuple[Event, str | None]:
    """The event, and a note saying which base was chosen when none was named and the head is
    the default branch itself (see pull_request_base)."""
    if spec.action not in PULL_REQUEST_ACTIONS:
        known = ", ".join(sorted(PULL_REQUEST_ACTIONS))
        raise UsageError(f"unknown pull_request action '{spec.action}' (known: {known})")
    head_side = _side(ctx, head, None)
    base_side, note = _base_side(ctx, base, head_side)
    facts = _gather(ctx, spec, base_side, head_side)
    payload: JsonObject = {
        "action": spec.action,
        "number": spec.number,
        "pull_request": pull_request_object(facts),
        **_action_fields(facts),
        **ctx.base_payload(facts.head_commit.committer.date),
    }
    ref, sha = _ref_and_sha(facts, name)
    event = Event(
        name,
        payload=payload,
        action=spec.action,
        ref=ref,
        sha=sha,
        base_ref=facts.base.branch,
        head_ref=facts.head.branch,
        changed_files=facts.diff.files,
        head_commit_message=facts.head_commit.message,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )
    return event, note


def _base_side(ctx: LocalContext, base: str | None, head: _Side) -> tuple[_Side, str | None]:
    """The base named (default: the default branch); when none is named and that is the head
    itself, the one pull_request_base chooses, with its note."""
    default = ctx.identity.default_branch
    side = _side(ctx, base, default)
    if base is not None or side.sha != head.sha:
        return side, None
    chosen = choose_base(ctx, head.sha)
    if chosen is None:
        return side, None
    return _Side(default, chosen.revision), chosen.note


def pull_request_object(facts: _Facts) -> JsonObject:
    """`github.event.pull_request`, keys in GitHub's order."""
    return {**_summary(facts), **_references(facts), **_status(facts)}


def _gather(ctx: LocalContext, spec: PullRequestSpec, base: _Side, head: _Side) -> _Facts:
    head_commit = ctx.repo.commit(head.sha)
    diff = _diff(ctx, base, head)
    message = f"Merge {head.sha} into {base.sha}"
    merge_sha = ctx.repo.write_merge_commit(base.sha, head.sha, message, head_commit.committer.date)
    return _Facts(ctx, spec, base, head, head_commit, diff, merge_sha)


def _summary(facts: _Facts) -> JsonObject:
    number, html, identity = facts.spec.number, facts.html, facts.ctx.identity
    return {
        "url": f"{facts.api}/pulls/{number}",
        "id": number,
        "node_id": f"PR_local{number}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{facts.api}/issues/{number}",
        "number": number,
        "state": "closed" if facts.closed else "open",
        "locked": False,
        "title": facts.head_commit.subject,
        "user": user_object(identity, facts.ctx.user.login),
        "body": facts.head_commit.body or None,
        "created_at": facts.date,
        "updated_at": facts.date,
        "closed_at": facts.date if facts.closed else None,
        "merged_at": facts.date if facts.merged else None,
        "merge_commit_sha": facts.merge_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [label_object(identity, name) for name in facts.spec.labels],
        "milestone": None,
    }


def _references(facts: _Facts) -> JsonObject:
    api, number, date = facts.api, facts.spec.number, facts.head_commit.committer.date
    return {
        "commits_url": f"{api}/pulls/{number}/commits",
        "review_comments_url": f"{api}/pulls/{number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{number}/comments",
        "statuses_url": f"{api}/statuses/{facts.head.sha}",
        "head": _branch_object(facts.ctx, facts.head, date),
        "base": _branch_object(facts.ctx, facts.base, date),
        "_links": _links(api, facts.html, number, facts.head.sha),
    }


def _status(facts: _Facts) -> JsonObject:
    mergeable = facts.merge_sha is not None
    merger = user_object(facts.ctx.identity, facts.ctx.user.login) if facts.merged else None
    return {
        "author_association": "OWNER",
        "auto_merge": None,
        "active_lock_reason": None,
        "draft": facts.spec.draft,
        "merged": facts.merged,
        "mergeable": mergeable,
        "rebaseable": mergeable,
        "mergeable_state": "clean" if mergeable else "dirty",
        "merged_by": merger,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": facts.diff.commits,
        "additions": facts.diff.additions,
        "deletions": facts.diff.deletions,
        "changed_files": len(facts.diff.files),
    }


def _side(ctx: LocalContext, rev: str | None, default_branch: str | None) -> _Side:
    """A pull request end: its branch name and commit."""
    if rev is None:
        if default_branch is not None:
            rev = default_branch
        else:
            current = ctx.repo.current_branch()
            sha = ctx.repo.resolve_commit("HEAD")
            return _Side(current or _branch_for(ctx, sha, None), sha)
    full = ctx.repo.full_ref(rev)
    sha = ctx.repo.resolve_commit(full or rev)
    if full is not None:
        return _Side(full.split("/", 2)[2], sha)
    return _Side(_branch_for(ctx, sha, default_branch), sha)


def _branch_for(ctx: LocalContext, sha: str, preferred: str | None) -> str:
    branches = ctx.repo.branches_at(sha)
    if preferred is not None and (preferred in branches or not branches):
        return preferred
    return branches[0] if branches else sha[:12]


def _diff(ctx: LocalContext, base: _Side, head: _Side) -> _Diff:
    merge_base = ctx.repo.merge_base(base.sha, head.sha)
    if merge_base is None:
        raise UsageError(
            f"'{base.branch}' and '{head.branch}' have no common history, so there is no pull "
            "request to compare"
        )
    stats = ctx.repo.diff_stats(merge_base, head.sha)
    count = int(ctx.repo.git("rev-list", "--count", f"{merge_base}..{head.sha}").strip() or 0)
    return _Diff(
        files=tuple(path for _, _, path in stats),
        additions=sum(added for added, _, _ in stats),
        deletions=sum(deleted for _, deleted, _ in stats),
        commits=count,
    )


def _branch_object(ctx: LocalContext, side: _Side, date: str) -> JsonObject:
    identity = ctx.identity
    repository = ctx.base_payload(date)["repository"]
    return {
        "label": f"{identity.owner}:{side.branch}",
        "ref": side.branch,
        "sha": side.sha,
        "user": user_object(identity, identity.owner),
        "repo": repository,
    }


def _links(api: str, html: str, number: int, head_sha: str) -> JsonObject:
    hrefs = {
        "self": f"{api}/pulls/{number}",
        "html": html,
        "issue": f"{api}/issues/{number}",
        "comments": f"{api}/issues/{number}/comments",
        "review_comments": f"{api}/pulls/{number}/comments",
        "review_comment": f"{api}/pulls/comments{{/number}}",
        "commits": f"{api}/pulls/{number}/commits",
        "statuses": f"{api}/statuses/{head_sha}",
    }
    return {name: {"href": href} for name, href in hrefs.items()}


def _action_fields(facts: _Facts) -> JsonObject:
    action, head = facts.spec.action, facts.head_commit
    if action == "synchronize":
        return {"before": head.parents[0] if head.parents else facts.base.sha, "after": head.sha}
    if action in ("labeled", "unlabeled"):
        name = facts.spec.labels[-1] if facts.spec.labels else "bug"
        return {"label": label_object(facts.ctx.identity, name)}
    if action == "edited":
        return {"changes": {}}
    return {}


def _ref_and_sha(facts: _Facts, name: str) -> tuple[str, str]:
    sha = facts.merge_sha or facts.head.sha
    if name == "pull_request_target":
        return facts.ctx.default_ref(), facts.ctx.default_tip()
    if facts.merged:
        return BRANCH_PREFIX + facts.base.branch, sha
    return f"refs/pull/{facts.spec.number}/merge", sha
