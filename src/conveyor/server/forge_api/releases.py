"""Releases: create, list, get (by id, by tag, the latest), update; list a release's assets and
download one (`Accept: application/octet-stream`: a redirect to the file, as GitHub)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from conveyor.server.forge_api import release_events
from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import (
    JsonBody,
    answer,
    fields_of,
    flag,
    required_text,
    text,
)
from conveyor.server.forge_api.errors import not_found, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.paging import Paging, link_header, paging
from conveyor.server.forge_api.release_events import target_commit
from conveyor.server.forge_api.release_shapes import asset, download_url, release
from conveyor.server.principals import Principal
from conveyor.store.forge_records import NewRelease, ReleaseRecord

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
RELEASES = "/api/v3/repos/{owner}/{repo}/releases"
Reader = Annotated[Principal, Depends(caller("read", "contents"))]
Writer = Annotated[Principal, Depends(caller("write", "contents"))]
Repo = Annotated[Hosted, Depends(hosted)]
R = "Release"


def shown(repo: Hosted, found: ReleaseRecord) -> dict[str, object]:
    return release(repo, found, repo.data.releases.assets(found.id))


def _release(repo: Hosted, release_id: int) -> ReleaseRecord:
    found = repo.data.releases.get(repo.name, release_id)
    if found is None:
        raise not_found()
    return found


def _changes(given: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("tag_name", "target_commitish", "name", "body"):
        if given.get(name) is not None:
            values[name] = text(given, name, R)
    for name in ("draft", "prerelease"):
        if given.get(name) is not None:
            values[name] = flag(given, name, R)
    return values


@router.post(RELEASES)
def create_release(who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    given = fields_of(body, R)
    tag = required_text(given, "tag_name", R)
    if repo.data.releases.by_tag(repo.name, tag) is not None:
        raise validation_failed(R, "tag_name", "already_exists")
    values = {"target_commitish": repo.record.default_branch} | _changes(given)
    target_commit(repo, tag, values["target_commitish"])  # 422 before anything is written
    made = repo.data.releases.create(repo.name, NewRelease(**values), who.name)
    release_events.on_created(repo, made, who.name)
    return answer(shown(repo, made), 201, {"Location": f"{repo.api}/releases/{made.id}"})


@router.get(RELEASES)
def list_releases(
    request: Request, who: Reader, repo: Repo, page: Annotated[Paging, Depends(paging)]
) -> JSONResponse:
    found = repo.data.releases.listing(repo.name, offset=page.offset, limit=page.per_page)
    body = [shown(repo, each) for each in found.items]
    return answer(body, headers=link_header(request, page, found.total))


@router.get(RELEASES + "/latest")
def latest_release(who: Reader, repo: Repo) -> JSONResponse:
    found = repo.data.releases.listing(repo.name, offset=0, limit=100).items
    published = [each for each in found if not each.draft and not each.prerelease]
    if not published:
        raise not_found()
    return answer(shown(repo, published[0]))


@router.get(RELEASES + "/tags/{tag:path}")
def release_by_tag(tag: str, who: Reader, repo: Repo) -> JSONResponse:
    found = repo.data.releases.by_tag(repo.name, tag)
    if found is None:
        raise not_found()
    return answer(shown(repo, found))


@router.get(RELEASES + "/assets/{asset_id}")
def get_asset(asset_id: int, request: Request, who: Reader, repo: Repo) -> Response:
    found = repo.data.releases.asset(asset_id)
    if found is None or _release(repo, found.release_id) is None:
        raise not_found()
    if request.headers.get("accept", "") == "application/octet-stream":
        return RedirectResponse(download_url(repo, asset_id), 302)  # as GitHub does
    return answer(asset(repo, found))


@router.get(RELEASES + "/{release_id}")
def get_release(release_id: int, who: Reader, repo: Repo) -> JSONResponse:
    return answer(shown(repo, _release(repo, release_id)))


@router.patch(RELEASES + "/{release_id}")
def update_release(release_id: int, who: Writer, repo: Repo, body: JsonBody = None) -> JSONResponse:
    found = _release(repo, release_id)
    changes = _changes(fields_of(body, R))
    target_commit(repo, changes.get("tag_name", found.tag_name),
                  changes.get("target_commitish", found.target_commitish))  # fmt: skip
    changed = repo.data.releases.update(found, changes)
    release_events.on_updated(repo, found, changed, who.name)
    return answer(shown(repo, changed))


@router.get(RELEASES + "/{release_id}/assets")
def list_assets(release_id: int, who: Reader, repo: Repo) -> JSONResponse:
    found = _release(repo, release_id)
    return answer([asset(repo, each) for each in repo.data.releases.assets(found.id)])
