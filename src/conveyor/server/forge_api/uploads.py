"""Release asset uploads: `POST /api/uploads/repos/{owner}/{repo}/releases/{id}/assets?name=N`
with the file as the body (GitHub's uploads.github.com; releases give this URL as
`upload_url`). The bytes go to a private file under CONVEYOR_HOME, and are served back at
`/api/uploads/repos/{owner}/{repo}/releases/assets/{id}` (`browser_download_url`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from conveyor.errors import UsageError
from conveyor.server.forge_api.access import caller
from conveyor.server.forge_api.bodies import answer
from conveyor.server.forge_api.errors import not_found, validation_failed
from conveyor.server.forge_api.hosted import Hosted, hosted
from conveyor.server.forge_api.release_shapes import asset
from conveyor.server.principals import Principal

router = APIRouter(tags=["local forge"], include_in_schema=False)  # GitHub describes it
UPLOAD = "/api/uploads/repos/{owner}/{repo}/releases/{release_id}/assets"
R = "ReleaseAsset"


@router.post(UPLOAD)
async def upload_asset(
    release_id: int,
    request: Request,
    who: Annotated[Principal, Depends(caller("write", "contents"))],
    repo: Annotated[Hosted, Depends(hosted)],
) -> JSONResponse:
    name = request.query_params.get("name")
    if not name or "/" in name or name in (".", ".."):
        raise validation_failed(R, "name", "missing_field" if not name else "invalid")
    data = await request.body()
    content_type = request.headers.get("content-type", "application/octet-stream")
    return await run_in_threadpool(
        _store, repo, release_id, name, content_type, data, who.name,
        request.query_params.get("label"),
    )  # fmt: skip


def _store(
    repo: Hosted, release_id: int, name: str, content_type: str, data: bytes, uploader: str,
    label: str | None,
) -> JSONResponse:  # fmt: skip
    if repo.data.releases.get(repo.name, release_id) is None:
        raise not_found()
    try:
        made = repo.data.releases.add_asset(release_id, name, content_type, data, uploader, label)
    except UsageError:
        raise validation_failed(R, "name", "already_exists") from None
    return answer(asset(repo, made), 201)


@router.get("/api/uploads/repos/{owner}/{repo}/releases/assets/{asset_id}")
def download_asset(
    asset_id: int,
    who: Annotated[Principal, Depends(caller("read", "contents"))],
    repo: Annotated[Hosted, Depends(hosted)],
) -> FileResponse:
    found = repo.data.releases.asset(asset_id)
    path = repo.data.releases.asset_path(asset_id)
    if found is None or path is None or repo.data.releases.get(repo.name, found.release_id) is None:
        raise not_found()
    return FileResponse(path, media_type=found.content_type, filename=found.name)
