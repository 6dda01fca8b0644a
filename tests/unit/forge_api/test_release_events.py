"""Releases fire GitHub's events: a release made through the API with a tag the repository lacks
creates the tag at `target_commitish` (as GitHub does), which fires `create` and `push` for the
tag; then `release` fires `created`, and when it is not a draft `published` and `released` (or
`prereleased`). Publishing a draft (PATCH draft=false) fires `published` and `released`. A release
made with a job's token fires nothing (as with GitHub's GITHUB_TOKEN). The payloads validate
against GitHub's webhook schemas."""

from __future__ import annotations

from typing import Any

from conveyor.engine.ports.server_runs import EventRequest
from tests.support.webhook_schema import webhook_problems
from tests.unit.forge_api.conftest import REPO, Forge, git


def fired(forge: Forge) -> list[tuple[str, Any, str, str | None]]:
    return [(r.event_name, r.payload.get("action"), r.ref, r.sha) for r in forge.starter.requests]


def problems(request: EventRequest) -> list[str]:
    """GitHub's schemas name the release event's actions: `release-published`, ..."""
    event, action = request.event_name, request.payload.get("action")
    return webhook_problems(f"{event}-{action}" if event == "release" else event, request.payload)


def test_a_release_with_a_new_tag_creates_the_tag_and_fires_create_push_and_release(
    forge: Forge,
) -> None:
    main = forge.sha("main")
    with forge.client() as api:
        made = api.post(f"/repos/{REPO}/releases", json={"tag_name": "v1.0.0", "name": "One"})
    assert made.status_code == 201
    assert git(forge.bare, "rev-parse", "refs/tags/v1.0.0") == main
    tag = "refs/tags/v1.0.0"
    assert fired(forge) == [
        ("create", None, tag, main),
        ("push", None, tag, main),
        ("release", "created", tag, main),
        ("release", "published", tag, main),
        ("release", "released", tag, main),
    ]
    payload = forge.starter.requests[3].payload
    assert payload["release"]["id"] == made.json()["id"]  # type: ignore[index]
    assert payload["sender"]["login"] == "writer"  # type: ignore[index]
    for request in forge.starter.requests:
        assert problems(request) == [], request.event_name


def test_a_prerelease_of_an_existing_tag_fires_only_the_release_events(forge: Forge) -> None:
    feature = forge.sha("feature")
    git(forge.bare, "update-ref", "refs/tags/v1.1.0-rc.1", feature)
    with forge.client() as api:
        body = {"tag_name": "v1.1.0-rc.1", "prerelease": True}
        assert api.post(f"/repos/{REPO}/releases", json=body).status_code == 201
    tag = "refs/tags/v1.1.0-rc.1"
    assert fired(forge) == [
        ("release", "created", tag, feature),
        ("release", "published", tag, feature),
        ("release", "prereleased", tag, feature),
    ]


def test_a_draft_fires_created_and_publishing_it_creates_the_tag_and_fires_published(
    forge: Forge,
) -> None:
    with forge.client() as api:
        body = {"tag_name": "v2.0.0", "target_commitish": "feature", "draft": True}
        made = api.post(f"/repos/{REPO}/releases", json=body).json()
        draft_events = [(e, a) for e, a, _, _ in fired(forge)]
        tag_of_draft = git(forge.bare, "tag", "--list", "v2.0.0")
        api.patch(f"/repos/{REPO}/releases/{made['id']}", json={"name": "Two"})
        api.patch(f"/repos/{REPO}/releases/{made['id']}", json={"draft": False})
    assert draft_events == [("release", "created")]
    assert tag_of_draft == ""  # as on GitHub: a draft's tag is made when it is published
    later = [(e, a) for e, a, _, _ in fired(forge)][1:]
    assert later == [
        ("release", "edited"), ("create", None), ("push", None),
        ("release", "published"), ("release", "released"),
    ]  # fmt: skip
    assert git(forge.bare, "rev-parse", "refs/tags/v2.0.0") == forge.sha("feature")
    assert forge.starter.requests[-1].sha == forge.sha("feature")
    edited = forge.starter.requests[1].payload
    assert edited["changes"] == {"name": {"from": ""}}  # it had none
    for request in forge.starter.requests:
        assert problems(request) == [], request.event_name


def test_a_release_made_with_a_jobs_token_creates_the_tag_and_fires_nothing(forge: Forge) -> None:
    with forge.client("release-job") as api:
        made = api.post(f"/repos/{REPO}/releases", json={"tag_name": "v3.0.0"})
    assert made.status_code == 201
    assert git(forge.bare, "rev-parse", "refs/tags/v3.0.0") == forge.sha("main")
    assert forge.starter.requests == []


def test_a_release_whose_target_is_not_a_branch_or_commit_is_refused(forge: Forge) -> None:
    with forge.client() as api:
        body = {"tag_name": "v4.0.0", "target_commitish": "no-such-branch"}
        made = api.post(f"/repos/{REPO}/releases", json=body)
    assert made.status_code == 422
    assert forge.starter.requests == []
