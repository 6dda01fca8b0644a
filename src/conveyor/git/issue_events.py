"""`issues` and `issue_comment` events: a local stand-in issue (number 1 unless told), run on the
default branch as GitHub does."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.errors import UsageError
from conveyor.git.local_context import LocalContext
from conveyor.git.webhook_objects import (
    JsonObject,
    fake_id,
    label_object,
    node_id,
    user_object,
    utc_timestamp,
)
from conveyor.model.events import Event

ISSUE_ACTIONS = frozenset(
    {
        "opened", "edited", "deleted", "transferred", "pinned", "unpinned", "closed", "reopened",
        "assigned", "unassigned", "labeled", "unlabeled", "locked", "unlocked", "milestoned",
        "demilestoned", "field_added", "field_removed", "typed", "untyped",
    }
)  # fmt: skip
COMMENT_ACTIONS = frozenset({"created", "edited", "deleted"})


@dataclass(frozen=True, slots=True)
class IssueSpec:
    action: str | None = None  # default: opened (issues) / created (issue_comment)
    number: int = 1
    title: str = "Local issue"
    body: str = ""
    labels: tuple[str, ...] = ()
    comment: str = ""
    on_pull_request: bool = False


def issues_event(ctx: LocalContext, *, ref: str | None, spec: IssueSpec = IssueSpec()) -> Event:
    action = _checked(spec.action or "opened", ISSUE_ACTIONS, "issues")
    full, sha = _where(ctx, ref)
    date = ctx.repo.commit(sha).committer.date
    payload: JsonObject = {"action": action, "issue": issue_object(ctx, spec, date)}
    if action in ("labeled", "unlabeled"):
        payload["label"] = label_object(ctx.identity, spec.labels[-1] if spec.labels else "bug")
    if action == "edited":
        payload["changes"] = {}
    payload.update(ctx.base_payload(date))
    return _event(ctx, "issues", payload, action, full, sha)


def issue_comment_event(
    ctx: LocalContext, *, ref: str | None, spec: IssueSpec = IssueSpec()
) -> Event:
    action = _checked(spec.action or "created", COMMENT_ACTIONS, "issue_comment")
    full, sha = _where(ctx, ref)
    date = ctx.repo.commit(sha).committer.date
    issue = issue_object(ctx, spec, date)
    payload: JsonObject = {"action": action, "issue": issue, "comment": _comment(ctx, spec, date)}
    payload.update(ctx.base_payload(date))
    return _event(ctx, "issue_comment", payload, action, full, sha)


def issue_object(ctx: LocalContext, spec: IssueSpec, date: str) -> JsonObject:
    identity = ctx.identity
    api = f"{identity.api_url}/repos/{identity.full_name}/issues/{spec.number}"
    kind = "pull" if spec.on_pull_request else "issues"
    html = f"{identity.html_url}/{kind}/{spec.number}"
    number = fake_id("issue", identity.full_name, str(spec.number))
    stamp = utc_timestamp(date)
    issue: JsonObject = {
        "url": api,
        "repository_url": f"{identity.api_url}/repos/{identity.full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "id": number,
        "node_id": node_id("Issue", number),
        "number": spec.number,
        "title": spec.title,
        "user": user_object(identity, ctx.user.login),
        "labels": [label_object(identity, name) for name in spec.labels],
        "state": "closed" if spec.action == "closed" else "open",
        "locked": spec.action == "locked",
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": 1 if spec.comment else 0,
        "created_at": stamp,
        "updated_at": stamp,
        "closed_at": stamp if spec.action == "closed" else None,
        "author_association": "OWNER",
        "active_lock_reason": None,
        "body": spec.body or None,
        "reactions": _reactions(f"{api}/reactions"),
        "draft": False,
    }
    if spec.on_pull_request:
        issue["pull_request"] = _pull_request_link(ctx, spec.number)
    return issue


def _comment(ctx: LocalContext, spec: IssueSpec, date: str) -> JsonObject:
    identity = ctx.identity
    number = fake_id("comment", identity.full_name, str(spec.number))
    api = f"{identity.api_url}/repos/{identity.full_name}/issues"
    kind = "pull" if spec.on_pull_request else "issues"
    stamp = utc_timestamp(date)
    return {
        "url": f"{api}/comments/{number}",
        "html_url": f"{identity.html_url}/{kind}/{spec.number}#issuecomment-{number}",
        "issue_url": f"{api}/{spec.number}",
        "id": number,
        "node_id": node_id("IssueComment", number),
        "user": user_object(identity, ctx.user.login),
        "created_at": stamp,
        "updated_at": stamp,
        "author_association": "OWNER",
        "performed_via_github_app": None,
        "body": spec.comment,
        "reactions": _reactions(f"{api}/comments/{number}/reactions"),
    }


def _pull_request_link(ctx: LocalContext, number: int) -> JsonObject:
    identity = ctx.identity
    html = f"{identity.html_url}/pull/{number}"
    return {
        "url": f"{identity.api_url}/repos/{identity.full_name}/pulls/{number}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "merged_at": None,
    }


def _reactions(url: str) -> JsonObject:
    counts = ("total_count", "+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
    return {"url": url, **dict.fromkeys(counts, 0)}


def _where(ctx: LocalContext, ref: str | None) -> tuple[str, str]:
    return (ctx.default_ref(), ctx.default_tip()) if ref is None else ctx.resolve(ref)


def _checked(action: str, known: frozenset[str], event: str) -> str:
    if action not in known:
        raise UsageError(f"unknown {event} action '{action}' (known: {', '.join(sorted(known))})")
    return action


def _event(
    ctx: LocalContext, name: str, payload: JsonObject, action: str, ref: str, sha: str
) -> Event:
    return Event(
        name,
        payload=payload,
        action=action,
        ref=ref,
        sha=sha,
        repository=ctx.identity.full_name,
        default_branch=ctx.identity.default_branch,
        actor=ctx.user.login,
    )
