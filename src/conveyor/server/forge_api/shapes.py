"""The JSON objects GitHub's REST API answers with (user, repository, label, issue, comment),
built from the local forge's records. Ids are the rows' ids; users are the tokens' names."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from urllib.parse import quote

from conveyor.git.identity import RepositoryIdentity
from conveyor.git.webhook_objects import JsonObject, node_id, repository_object, user_object
from conveyor.server.forge_api.hosted import Hosted
from conveyor.store.forge_records import CommentRecord, IssueRecord, LabelRecord

_REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")


def iso(moment: float | None) -> str | None:
    """Epoch seconds as GitHub's `YYYY-MM-DDTHH:MM:SSZ`."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user(hosted: Hosted, login: str) -> JsonObject:
    return _user(hosted.identity, login)


@functools.lru_cache(maxsize=256)
def _user(identity: RepositoryIdentity, login: str) -> JsonObject:
    """A user object, made once per (server, login): listings repeat the same few users (the
    objects are shared, so never changed in place)."""
    return user_object(identity, login)


def optional_user(hosted: Hosted, login: str | None) -> JsonObject | None:
    return None if login is None else user(hosted, login)


def association(hosted: Hosted, login: str) -> str:
    return "OWNER" if login == hosted.identity.owner else "COLLABORATOR"


def repository(hosted: Hosted, open_issues: int = 0) -> JsonObject:
    created = iso(hosted.record.created_at) or ""
    shown = repository_object(hosted.identity, created=created, pushed=created)
    shown.update(
        has_discussions=False,
        network_count=0,
        subscribers_count=0,
        open_issues_count=open_issues,
        open_issues=open_issues,
        allow_merge_commit=True,
        allow_squash_merge=True,
        allow_rebase_merge=True,
    )
    return shown


def label(hosted: Hosted, found: LabelRecord) -> JsonObject:
    return {
        "id": found.id,
        "node_id": node_id("Label", found.id),
        "url": f"{hosted.api}/labels/{quote(found.name, safe='')}",
        "name": found.name,
        "color": found.color,
        "default": False,
        "description": found.description,
    }


def reactions(url: str) -> JsonObject:
    return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(_REACTIONS, 0)}


def issue(hosted: Hosted, found: IssueRecord, *, merged_at: float | None = None) -> JsonObject:
    url = f"{hosted.api}/issues/{found.number}"
    kind = "pull" if found.is_pull else "issues"
    shown: JsonObject = {
        "id": found.id,
        "node_id": node_id("Issue", found.id),
        "url": url,
        "repository_url": hosted.api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{hosted.html}/{kind}/{found.number}",
        "timeline_url": f"{url}/timeline",
        "number": found.number,
        "state": found.state,
        "state_reason": found.state_reason,
        "title": found.title,
        "body": found.body,
        "user": user(hosted, found.author),
        "labels": [label(hosted, each) for each in found.labels],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": found.locked,
        "active_lock_reason": None,
        "comments": found.comments,
        "closed_at": iso(found.closed_at),
        "created_at": iso(found.created_at),
        "updated_at": iso(found.updated_at),
        "closed_by": optional_user(hosted, found.closed_by),
        "author_association": association(hosted, found.author),
        "reactions": reactions(url),
        "performed_via_github_app": None,
    }
    if found.is_pull:
        shown["pull_request"] = _pull_link(hosted, found.number, merged_at)
    return shown


def _pull_link(hosted: Hosted, number: int, merged_at: float | None) -> JsonObject:
    html = f"{hosted.html}/pull/{number}"
    return {
        "url": f"{hosted.api}/pulls/{number}",
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "merged_at": iso(merged_at),
    }


def comment(hosted: Hosted, found: CommentRecord) -> JsonObject:
    url = f"{hosted.api}/issues/comments/{found.id}"
    return {
        "id": found.id,
        "node_id": node_id("IssueComment", found.id),
        "url": url,
        "html_url": f"{hosted.html}/issues/{found.issue_number}#issuecomment-{found.id}",
        "body": found.body,
        "user": user(hosted, found.author),
        "created_at": iso(found.created_at),
        "updated_at": iso(found.updated_at),
        "issue_url": f"{hosted.api}/issues/{found.issue_number}",
        "author_association": association(hosted, found.author),
        "performed_via_github_app": None,
        "reactions": reactions(url),
    }
