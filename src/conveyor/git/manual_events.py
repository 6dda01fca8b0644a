"""Events nobody pushes: `workflow_dispatch`, `workflow_call`, `schedule`, and any other event
GitHub sends about the repository (`delete`, `label`, `watch`, `repository_dispatch`, …) as a
minimal payload.

`--ref` picks the branch or tag (default: the checked-out branch for dispatch and call; the default
branch for schedules and other events, as GitHub runs them there).
"""

from __future__ import annotations

from collections.abc import Mapping

from conveyor.git.local_context import LocalContext
from conveyor.git.webhook_objects import JsonObject
from conveyor.model.events import Event


def workflow_dispatch_event(
    ctx: LocalContext, *, ref: str | None, inputs: Mapping[str, str]
) -> Event:
    """Inputs are bound per workflow (`event_for_workflow`); the payload lists them as given."""
    full, sha = ctx.resolve(ref)
    base = ctx.base_payload(ctx.repo.commit(sha).committer.date)
    payload: JsonObject = {"inputs": dict(inputs), "ref": full, **base, "workflow": ""}
    return _event(ctx, "workflow_dispatch", payload, full, sha, inputs=inputs)


def workflow_call_event(ctx: LocalContext, *, ref: str | None, inputs: Mapping[str, str]) -> Event:
    """A reusable workflow run on its own: the inputs are its `with:` values."""
    full, sha = ctx.resolve(ref)
    base = ctx.base_payload(ctx.repo.commit(sha).committer.date)
    return _event(ctx, "workflow_call", {"ref": full, **base}, full, sha, inputs=inputs)


def schedule_event(ctx: LocalContext, *, ref: str | None, cron: str | None = None) -> Event:
    """`github.event` is just `{"schedule": cron}`; the cron is the workflow's when not given."""
    full, sha = _ref_and_sha(ctx, ref)
    return _event(ctx, "schedule", {"schedule": cron}, full, sha, schedule=cron)


def repository_event(
    ctx: LocalContext, name: str, *, ref: str | None, action: str | None = None
) -> Event:
    full, sha = _ref_and_sha(ctx, ref)
    payload: JsonObject = {"action": action} if action else {}
    if name == "repository_dispatch":  # `action` is the dispatch's event_type
        payload |= {"branch": ctx.identity.default_branch, "client_payload": {}}
    payload.update(ctx.base_payload(ctx.repo.commit(sha).committer.date))
    return _event(ctx, name, payload, full, sha, action=action)


def _ref_and_sha(ctx: LocalContext, ref: str | None) -> tuple[str, str]:
    if ref is None:
        return ctx.default_ref(), ctx.default_tip()
    return ctx.resolve(ref)


def _event(
    ctx: LocalContext,
    name: str,
    payload: JsonObject,
    ref: str,
    sha: str,
    *,
    action: str | None = None,
    inputs: Mapping[str, str] | None = None,
    schedule: str | None = None,
) -> Event:
    return Event(
        name,
        payload=payload,
        action=action,
        ref=ref,
        sha=sha,
        inputs=dict(inputs or {}),
        schedule=schedule,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )
