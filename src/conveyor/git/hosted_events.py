"""The events a push to a hosted repository fires, as GitHub fires them for a push: `push` for
every updated ref (the commits with the files each added, removed and modified), `create` for a
new branch or tag, `delete` for a deleted one. Built by the same code as `conveyor run`'s local
events (`push_events`), on the hosted bare repository, with the server's URLs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conveyor.git.hosting import RefUpdate
from conveyor.git.identity import LocalUser, RepositoryIdentity
from conveyor.git.local_context import LocalContext
from conveyor.git.push_events import create_event, delete_event, push_event
from conveyor.git.repository import GitRepository
from conveyor.git.webhook_objects import JsonObject
from conveyor.model.events import Event

_STATUS_LISTS = {"A": "added", "D": "removed", "M": "modified", "T": "modified"}


def pushed_events(path: Path, identity: RepositoryIdentity, update: RefUpdate) -> list[Event]:
    """`create` (a new ref), `push`, `delete` (a deleted ref) for one ref a push updated."""
    pusher = LocalUser(update.pusher, update.pusher, f"{update.pusher}@users.noreply.localhost")
    ctx = LocalContext(GitRepository(path), identity, pusher)
    events: list[Event] = []
    if update.created:
        events.append(create_event(ctx, ref=update.ref))
    push = push_event(ctx, ref=update.ref, before=update.before, after=update.after)
    events.append(_with_file_lists(ctx.repo, push))
    if update.deleted:
        events.append(delete_event(ctx, ref=update.ref))
    return events


def _with_file_lists(repo: GitRepository, push: Event) -> Event:
    """The push payload whose commits say which files they added, removed and modified."""
    payload = dict(push.payload)
    commits = payload.get("commits")
    listed = [_commit_files(repo, c) for c in commits] if isinstance(commits, list) else []
    payload["commits"] = listed
    head = payload.get("head_commit")
    if isinstance(head, dict):
        known = {commit["id"]: commit for commit in listed}
        payload["head_commit"] = known.get(head["id"]) or _commit_files(repo, head)
    return replace(push, payload=payload)


def _commit_files(repo: GitRepository, commit: JsonObject) -> JsonObject:
    lists: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
    sha = str(commit["id"])
    parents = repo.commit(sha).parents
    if parents:
        out = repo.git("diff", "--name-status", "-z", "--no-renames", parents[0], sha, "--")
    else:
        out = repo.git("diff-tree", "-r", "--root", "--no-commit-id", "--name-status", "-z", sha)
    fields = [field for field in out.split("\0") if field]
    for status, name in zip(fields[::2], fields[1::2], strict=True):
        lists[_STATUS_LISTS.get(status[:1], "modified")].append(name)
    return {**commit, **lists}
