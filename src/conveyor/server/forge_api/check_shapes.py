"""Commit statuses, combined statuses and check runs in GitHub's shapes."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.git.webhook_objects import JsonObject, node_id
from conveyor.server.forge_api.hosted import Hosted
from conveyor.server.forge_api.shapes import iso, repository, user
from conveyor.store.forge_records import CheckRunRecord, StatusRecord


def status(repo: Hosted, found: StatusRecord) -> JsonObject:
    creator = user(repo, found.creator)
    return {
        "url": f"{repo.api}/statuses/{found.sha}",
        "avatar_url": creator["avatar_url"],
        "id": found.id,
        "node_id": node_id("StatusContext", found.id),
        "state": found.state,
        "description": found.description,
        "target_url": found.target_url,
        "context": found.context,
        "created_at": iso(found.created_at),
        "updated_at": iso(found.created_at),
        "creator": creator,
    }


def latest_per_context(statuses: Sequence[StatusRecord]) -> list[StatusRecord]:
    """The newest status of each context (`statuses` is newest first)."""
    seen: dict[str, StatusRecord] = {}
    for each in statuses:
        seen.setdefault(each.context, each)
    return list(seen.values())


def combined_state(latest: Sequence[StatusRecord]) -> str:
    states = {each.state for each in latest}
    if states & {"error", "failure"}:
        return "failure"
    return "success" if states == {"success"} else "pending"


def combined(repo: Hosted, sha: str, statuses: Sequence[StatusRecord]) -> JsonObject:
    latest = latest_per_context(statuses)
    return {
        "state": combined_state(latest),
        "statuses": [_simple_status(repo, each) for each in latest],
        "sha": sha,
        "total_count": len(latest),
        "repository": repository(repo),
        "commit_url": f"{repo.api}/commits/{sha}",
        "url": f"{repo.api}/commits/{sha}/status",
    }


def _simple_status(repo: Hosted, found: StatusRecord) -> JsonObject:
    shown = status(repo, found)
    del shown["creator"]
    shown["required"] = False
    return shown


def check_run(repo: Hosted, found: CheckRunRecord) -> JsonObject:
    url = f"{repo.api}/check-runs/{found.id}"
    return {
        "id": found.id,
        "head_sha": found.head_sha,
        "node_id": node_id("CheckRun", found.id),
        "external_id": found.external_id,
        "url": url,
        "html_url": f"{repo.html}/runs/{found.id}",
        "details_url": found.details_url,
        "status": found.status,
        "conclusion": found.conclusion,
        "started_at": iso(found.started_at),
        "completed_at": iso(found.completed_at),
        "output": {
            "title": found.title,
            "summary": found.summary,
            "text": found.text,
            "annotations_count": len(found.annotations),
            "annotations_url": f"{url}/annotations",
        },
        "name": found.name,
        "check_suite": {"id": found.id},
        "app": None,
        "pull_requests": [],
    }


def annotation_objects(repo: Hosted, found: CheckRunRecord) -> list[JsonObject]:
    return [
        {
            "path": each.path,
            "start_line": each.start_line,
            "end_line": each.end_line,
            "start_column": None,
            "end_column": None,
            "annotation_level": each.annotation_level,
            "title": each.title,
            "message": each.message,
            "raw_details": None,
            "blob_href": f"{repo.html}/blob/{found.head_sha}/{each.path}",
        }
        for each in found.annotations
    ]
