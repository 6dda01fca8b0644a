"""`/api/v1/repos`: the registered repositories. `GET` (a read token) lists them, never the
webhook secret; `POST` and `DELETE /api/v1/repos/{owner}/{repo}` (an admin token) add and
remove them, as `conveyor repos --server URL --token T` does."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field

from conveyor.errors import UsageError
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Principal, Role
from conveyor.store.served_repositories import ServedRepository

router = APIRouter(responses=ERRORS)


@router.get("/api/v1/repos", tags=["repositories"])
def list_repos(
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.READ))],
) -> dict[str, list[dict[str, object]]]:
    return {"repos": [_shown(r) for r in server.served().list()]}


NAME_PART = r"[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*"  # not '.' nor '..'


class NewRepository(BaseModel):
    name: str = Field(pattern=f"^{NAME_PART}/{NAME_PART}$", description="owner/repo")
    url: str = Field(min_length=1, description="a clone URL or a path on the server's machine")
    default_branch: str = Field("main", min_length=1)
    webhook_secret: str | None = None  # write-only: never returned
    forge: Literal["github"] | None = None  # report to GitHub, clone with its App's token


@router.post("/api/v1/repos", tags=["repositories"], status_code=201)
def add_repo(
    body: NewRepository,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.ADMIN))],
) -> dict[str, object]:
    new = ServedRepository(body.name, body.url, body.default_branch, False, 0.0, body.forge)
    try:
        added = server.served().add(new, body.webhook_secret or None)
    except UsageError as error:
        status = 409 if "already registered" in str(error) else 422
        raise HTTPException(status, str(error)) from None
    return _shown(added)


@router.delete("/api/v1/repos/{owner}/{repo}", tags=["repositories"], status_code=204)
def remove_repo(
    owner: str,
    repo: str,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.ADMIN))],
) -> Response:
    if not server.served().remove(f"{owner}/{repo}"):
        raise HTTPException(404, f"repository {owner}/{repo} is not registered")
    return Response(status_code=204)


def _shown(r: ServedRepository) -> dict[str, object]:
    return {
        "name": r.name,
        "url": r.url,
        "default_branch": r.default_branch,
        "has_webhook_secret": r.has_secret,
        "created_at": r.created_at,
        "forge": r.forge,
    }
