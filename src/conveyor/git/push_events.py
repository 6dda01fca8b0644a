"""`push` and `create` events from a local repository.

A push of branch B to commit `after` (default: B's tip) from `before` (default: B's `origin`
counterpart when it differs, else the parent of `after`, else nothing: a created branch). `before`
equal to the all-zero SHA means the branch is created, `after` equal to it means deleted.
Changed files: `before..after`; for a created branch, from the parent of the oldest commit no
other ref has; none for a deleted branch; not computed for tags (path filters do not apply).
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.errors import UsageError
from conveyor.git.commits import CommitInfo
from conveyor.git.local_context import LocalContext, short_name
from conveyor.git.repository import other_refs
from conveyor.git.webhook_objects import JsonObject, commit_object
from conveyor.model.events import TAG_PREFIX, ZERO_SHA, Event

# GitHub lists at most 20 commits in a push payload.
PUSH_COMMIT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class _Push:
    ref: str
    before: str
    after: str
    created: bool
    deleted: bool
    forced: bool
    new_commits: tuple[tuple[str, tuple[str, ...]], ...] = ()  # created branches only


def push_event(
    ctx: LocalContext, *, ref: str | None, before: str | None = None, after: str | None = None
) -> Event:
    push = _describe_push(ctx, ref, before, after)
    head = None if push.deleted else ctx.repo.commit(push.after)
    commits = _pushed_commits(ctx, push)
    payload = ctx.base_payload(head.committer.date if head else "", for_push=True)
    payload.update(_push_fields(ctx, push, commits, head))
    payload["pusher"] = {"name": ctx.user.login, "email": ctx.user.email}
    return Event(
        "push",
        payload=_ordered(payload),
        ref=push.ref,
        sha=ctx.default_tip() if push.deleted else push.after,
        before=push.before,
        changed_files=_changed_files(ctx, push),
        head_commit_message=head.message if head else None,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )


def create_event(ctx: LocalContext, *, ref: str | None) -> Event:
    full = ctx.pushed_ref(ref)
    sha = ctx.repo.resolve_commit(full)
    head = ctx.repo.commit(sha)
    payload = ctx.base_payload(head.committer.date)
    is_tag = full.startswith(TAG_PREFIX)
    created: JsonObject = {
        "ref": short_name(full),
        "ref_type": "tag" if is_tag else "branch",
        "master_branch": ctx.identity.default_branch,
        "description": None,
        "pusher_type": "user",
    }
    return Event(
        "create",
        payload={**created, **payload},
        ref=full,
        sha=sha,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )


def delete_event(ctx: LocalContext, *, ref: str | None) -> Event:
    """A deleted branch or tag (it may be gone locally already); runs on the default branch."""
    if ref is None:
        raise UsageError("a delete event needs the deleted branch or tag: pass --ref")
    full = ctx.repo.full_ref(ref)
    is_tag = (full or ref).startswith(TAG_PREFIX)
    sha = ctx.default_tip()
    payload: JsonObject = {
        "ref": short_name(full or ref),
        "ref_type": "tag" if is_tag else "branch",
        "pusher_type": "user",
        **ctx.base_payload(ctx.repo.commit(sha).committer.date),
    }
    return Event(
        "delete",
        payload=payload,
        ref=ctx.default_ref(),
        sha=sha,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )


def _describe_push(
    ctx: LocalContext, ref: str | None, before: str | None, after: str | None
) -> _Push:
    deleted = after == ZERO_SHA
    full = _deleted_ref(ctx, ref) if deleted else ctx.pushed_ref(ref)
    after_sha = ZERO_SHA if deleted else ctx.repo.resolve_commit(after or full)
    before_sha = _before(ctx, full, before, after_sha)
    created = before_sha == ZERO_SHA and not deleted
    forced = not (created or deleted) and not ctx.repo.is_ancestor(before_sha, after_sha)
    new: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if created and not deleted and not full.startswith(TAG_PREFIX):
        new = tuple(ctx.repo.new_commits(after_sha, short_name(full)))
    return _Push(full, before_sha, after_sha, created, deleted, forced, new)


def _deleted_ref(ctx: LocalContext, ref: str | None) -> str:
    if ref is not None and ctx.repo.full_ref(ref) is None:
        return ref if ref.startswith("refs/") else "refs/heads/" + ref
    return ctx.pushed_ref(ref)


def _before(ctx: LocalContext, full_ref: str, given: str | None, after: str) -> str:
    if given is not None:
        return given if given == ZERO_SHA else ctx.repo.resolve_commit(given)
    if after == ZERO_SHA:  # deleted: before is the ref's last commit
        return ctx.repo.find_commit(full_ref) or ZERO_SHA
    if full_ref.startswith(TAG_PREFIX):
        return ZERO_SHA
    return _default_before(ctx, full_ref, after)


def _default_before(ctx: LocalContext, full_ref: str, after: str) -> str:
    if full_ref.startswith("refs/heads/"):
        upstream = "refs/remotes/origin/" + short_name(full_ref)
        found = ctx.repo.find_commit(upstream)
        if found and found != after:
            return found
    parents = ctx.repo.commit(after).parents
    return parents[0] if parents else ZERO_SHA


def _pushed_commits(ctx: LocalContext, push: _Push) -> list[CommitInfo]:
    if push.deleted or push.ref.startswith(TAG_PREFIX):
        return []
    if push.created:
        if not push.new_commits:
            return []
        if [sha for sha, _ in push.new_commits] == [push.after]:  # the pushed commit alone
            return [ctx.repo.commit(push.after)]
        revisions = (push.after, *other_refs(short_name(push.ref)))
        return ctx.repo.commits(*revisions, limit=PUSH_COMMIT_LIMIT)
    head = ctx.repo.commit(push.after)
    if head.parents == (push.before,):  # before..after is the pushed commit alone
        return [head]
    return ctx.repo.commits(f"{push.before}..{push.after}", limit=PUSH_COMMIT_LIMIT)


def _changed_files(ctx: LocalContext, push: _Push) -> tuple[str, ...] | None:
    if push.ref.startswith(TAG_PREFIX):
        return None
    if push.deleted:
        return ()
    if not push.created:
        return ctx.repo.changed_files(push.before, push.after)
    if not push.new_commits:
        return ()
    parents = push.new_commits[0][1]
    return ctx.repo.changed_files(parents[0] if parents else None, push.after)


def _push_fields(
    ctx: LocalContext, push: _Push, commits: list[CommitInfo], head: CommitInfo | None
) -> JsonObject:
    identity = ctx.identity
    return {
        "ref": push.ref,
        "before": push.before,
        "after": push.after,
        "created": push.created,
        "deleted": push.deleted,
        "forced": push.forced,
        "base_ref": None,
        "compare": _compare_url(identity.html_url, push),
        "commits": [commit_object(identity, commit) for commit in commits],
        "head_commit": commit_object(identity, head) if head else None,
    }


def _compare_url(html_url: str, push: _Push) -> str:
    if push.created:
        return f"{html_url}/compare/{short_name(push.ref)}"
    return f"{html_url}/compare/{push.before[:12]}...{push.after[:12]}"


def _ordered(payload: JsonObject) -> JsonObject:
    """Keys in the order GitHub sends them (ref, before, after, repository, pusher, sender, …)."""
    order = ("ref", "before", "after", "repository", "pusher", "sender", "created", "deleted")
    head = {key: payload[key] for key in order if key in payload}
    return {**head, **{key: value for key, value in payload.items() if key not in head}}
