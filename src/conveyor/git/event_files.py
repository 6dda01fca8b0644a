"""Events from a webhook payload file (`--eventpath`), in GitHub's format.

`github.ref` follows the payload (`conveyor.triggers.ref_from_payload`); events that run on the
default branch use the payload's `repository.default_branch`, else the local one. `github.sha` is
the payload's commit (push `after`, the pull request's merge commit or head) or, for events that
run on a branch or tag, that ref resolved in the local repository. Changed files come from git when
the payload's commits exist locally, else from the payload's per-commit file lists; otherwise they
are unknown, so path filters cannot exclude the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from conveyor.errors import UsageError, decode_utf8
from conveyor.git.local_context import LocalContext
from conveyor.model.events import MAX_PAYLOAD_BYTES, PULL_REQUEST_EVENTS, ZERO_SHA, Event
from conveyor.triggers import pull_request_branches, ref_from_payload


def load_payload(path: Path) -> dict[str, object]:
    """The JSON object in `path`; UsageError for a missing file, one larger than GitHub's
    webhook limit, text that is not UTF-8, bad JSON or a non-object."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PAYLOAD_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read event payload {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_PAYLOAD_BYTES:
        limit = MAX_PAYLOAD_BYTES // (1024 * 1024)
        raise UsageError(f"{path}: event payload larger than {limit} MB (GitHub's webhook limit)")
    text = decode_utf8(data, str(path))
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}") from None
    if not isinstance(payload, dict):
        raise UsageError(f"{path}: an event payload must be a JSON object")
    return payload


def event_from_payload(
    ctx: LocalContext, name: str, payload: Mapping[str, object], inputs: Mapping[str, str]
) -> Event:
    ref = ref_from_payload(name, payload, default_branch=ctx.identity.default_branch)
    is_pull = name in PULL_REQUEST_EVENTS
    base_ref, head_ref = pull_request_branches(payload) if is_pull else (None, None)
    repository = _mapping(payload.get("repository"))
    given_inputs = {**_mapping(payload.get("inputs")), **inputs}
    action = payload.get("action")
    schedule = payload.get("schedule")
    return Event(
        name,
        payload=dict(payload),
        action=action if isinstance(action, str) else None,
        ref=ref,
        sha=_sha(ctx, name, payload, ref),
        before=_text(payload.get("before")),
        base_ref=base_ref,
        head_ref=head_ref,
        changed_files=_changed_files(ctx, name, payload),
        inputs=given_inputs,
        schedule=schedule if isinstance(schedule, str) else None,
        head_commit_message=_head_message(ctx, name, payload),
        repository=_text(repository.get("full_name")) or ctx.identity.full_name,
        default_branch=_text(repository.get("default_branch")) or ctx.identity.default_branch,
        actor=_text(_mapping(payload.get("sender")).get("login")) or ctx.user.login,
    )


def _sha(ctx: LocalContext, name: str, payload: Mapping[str, object], ref: str) -> str:
    if name == "push":
        after = _text(payload.get("after"))
        return after if after and after != ZERO_SHA else _local_sha(ctx, ctx.default_ref())
    if name in ("pull_request", "pull_request_review", "pull_request_review_comment"):
        pull = _mapping(payload.get("pull_request"))
        merge = _text(pull.get("merge_commit_sha"))
        return merge or _text(_mapping(pull.get("head")).get("sha")) or ""
    if name == "release":
        release = _mapping(payload.get("release"))
        return _local_sha(ctx, ref, _text(release.get("target_commitish")))
    return _local_sha(ctx, ref)


def _local_sha(ctx: LocalContext, *revisions: str | None) -> str:
    """The first revision that exists locally, resolved; '' when none does."""
    for revision in revisions:
        if revision:
            found = ctx.repo.try_git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
            if found:
                return found.strip()
    return ""


def _changed_files(
    ctx: LocalContext, name: str, payload: Mapping[str, object]
) -> tuple[str, ...] | None:
    if name == "push":
        before, after = _text(payload.get("before")), _text(payload.get("after"))
        if payload.get("deleted") is True:
            return ()
        if before and after and _local_sha(ctx, before) and _local_sha(ctx, after):
            return ctx.repo.changed_files(before, after)
        return _files_from_commits(payload.get("commits"))
    if name in PULL_REQUEST_EVENTS:
        pull = _mapping(payload.get("pull_request"))
        base = _local_sha(ctx, _text(_mapping(pull.get("base")).get("sha")))
        head = _local_sha(ctx, _text(_mapping(pull.get("head")).get("sha")))
        merge_base = ctx.repo.merge_base(base, head) if base and head else None
        return ctx.repo.changed_files(merge_base, head) if merge_base else None
    return None


def _files_from_commits(commits: object) -> tuple[str, ...] | None:
    """The union of per-commit added/removed/modified lists (webhook payloads carry them)."""
    if not isinstance(commits, list) or not commits:
        return None
    files: dict[str, None] = {}
    for commit in commits:
        entry = _mapping(commit)
        for key in ("added", "removed", "modified"):
            names = entry.get(key)
            if not isinstance(names, list):
                return None
            files.update(dict.fromkeys(str(name) for name in names))
    return tuple(files)


def _head_message(ctx: LocalContext, name: str, payload: Mapping[str, object]) -> str | None:
    if name == "push":
        return _text(_mapping(payload.get("head_commit")).get("message"))
    if name in PULL_REQUEST_EVENTS:
        pull = _mapping(payload.get("pull_request"))
        head = _local_sha(ctx, _text(_mapping(pull.get("head")).get("sha")))
        return ctx.repo.commit(head).message if head else None
    return None


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
