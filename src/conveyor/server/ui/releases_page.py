"""The local forge's releases in the web UI, at GitHub's addresses: `GET /{owner}/{repo}/releases`
(newest first), `GET /{owner}/{repo}/releases/tag/{tag}` (the API's `html_url`) and the assets'
downloads at `GET /{owner}/{repo}/releases/download/{tag}/{name}`. Notes are Markdown sanitised
as step summaries are; drafts are shown to writers only, as on GitHub."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.summaries import render_summary
from conveyor.server.ui.templating import render
from conveyor.store.forge_records import AssetRecord, ReleaseRecord

router = APIRouter(include_in_schema=False)

Looker = Annotated[Viewer, Depends(viewer)]
Repo = Annotated[Hosted, Depends(hosted)]
PAGE = 100


@dataclass(frozen=True, slots=True)
class ReleaseView:
    release: ReleaseRecord
    assets: Sequence[AssetRecord]


def _shown(who: Viewer, repo: Hosted, tag: str) -> ReleaseRecord:
    found = repo.data.releases.by_tag(repo.name, tag)
    if found is None or (found.draft and not who.can_write):
        raise HTTPException(404, f"{repo.name} has no release {tag}")
    return found


def _page(who: Viewer, repo: Hosted, releases: Sequence[ReleaseRecord], **extra: object) -> str:
    views = [
        ReleaseView(one, repo.data.releases.assets(one.id))
        for one in releases
        if who.can_write or not one.draft
    ]
    return render("releases.html", viewer=who, repo=repo.name, releases=views,
                  markdown=render_summary, **extra)  # fmt: skip


@router.get("/{owner}/{repo}/releases", response_class=HTMLResponse)
def releases_page(who: Looker, repo: Repo, page: int = 1) -> str:
    page = max(page, 1)
    found = repo.data.releases.listing(repo.name, offset=(page - 1) * PAGE, limit=PAGE)
    return _page(who, repo, found.items, page=page, more=found.total > page * PAGE, one=False)


@router.get("/{owner}/{repo}/releases/tag/{tag:path}", response_class=HTMLResponse)
def release_page(who: Looker, repo: Repo, tag: str) -> str:
    return _page(who, repo, [_shown(who, repo, tag)], page=1, more=False, one=True)


@router.get("/{owner}/{repo}/releases/download/{tag:path}/{name}")
def download(who: Looker, repo: Repo, tag: str, name: str) -> FileResponse:
    release = _shown(who, repo, tag)
    asset = next((a for a in repo.data.releases.assets(release.id) if a.name == name), None)
    path = repo.data.releases.asset_path(asset.id) if asset else None
    if asset is None or path is None:
        raise HTTPException(404, f"release {tag} has no asset {name}")
    return FileResponse(path, media_type=asset.content_type, filename=asset.name)
