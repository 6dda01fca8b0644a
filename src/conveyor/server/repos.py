"""`/api/v1/repos`: the registered repositories. `GET` (a read token) lists them, never the
webhook secret; `POST` and `DELETE /api/v1/repos/{owner}/{repo}` (an admin token) add and
remove them, as `conveyor repos --server URL --token T` does. `POST {"name", "hosted": true}`
creates a hosted repository (the local forge, `conveyor.server.hosting`) instead of registering
a URL; `DELETE ...?delete_data=true` also deletes a hosted repository's data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from conveyor.errors import UsageError
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.hosting import create_hosted, is_hosted, remove_repository
from conveyor.server.principals import Principal, Role
from conveyor.store.served_repositories import ServedRepository

router = APIRouter(responses=ERRORS)


@router.get("/api/v1/repos", tags=["repositories"])
def list_repos(
    request: Request,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.READ))],
) -> dict[str, list[dict[str, object]]]:
    return {"repos": [_shown(r, server, request) for r in server.served().list()]}


NAME_PART = r"[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*"  # not '.' nor '..'


class NewRepository(BaseModel):
    name: str = Field(pattern=f"^{NAME_PART}/{NAME_PART}$", description="owner/repo")
    url: str = Field(min_length=1, description="a clone URL or a path on the server's machine")
    default_branch: str = Field("main", min_length=1)
    webhook_secret: str | None = None  # write-only: never returned
    forge: Literal["github"] | None = None  # report to GitHub, clone with its App's token
    hosted: Literal[False] = False


# A branch name git takes (`git check-ref-format` has the last word: `.lock` endings).
SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*"
BRANCH = f"^{SEGMENT}(/{SEGMENT})*$"


class NewHostedRepository(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=f"^{NAME_PART}/{NAME_PART}$", description="owner/repo")
    hosted: Literal[True] = Field(description="create an empty repository the server hosts")
    default_branch: str = Field("main", max_length=200, pattern=BRANCH)


@router.post("/api/v1/repos", tags=["repositories"], status_code=201)
def add_repo(
    body: NewRepository | NewHostedRepository,
    request: Request,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.ADMIN))],
) -> dict[str, object]:
    try:
        added = _added(body, server)
    except UsageError as error:
        status = 409 if "already registered" in str(error) else 422
        raise HTTPException(status, str(error)) from None
    return _shown(added, server, request)


def _added(body: NewRepository | NewHostedRepository, server: ServerContext) -> ServedRepository:
    if isinstance(body, NewHostedRepository):
        return create_hosted(server.home, server.served(), body.name, body.default_branch)
    new = ServedRepository(body.name, body.url, body.default_branch, False, 0.0, body.forge)
    return server.served().add(new, body.webhook_secret or None)


@router.delete("/api/v1/repos/{owner}/{repo}", tags=["repositories"], status_code=204)
def remove_repo(
    owner: str,
    repo: str,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(require(Role.ADMIN))],
    delete_data: bool = False,
) -> Response:
    """Unregister; a hosted repository's data is kept unless `delete_data=true`."""
    name = f"{owner}/{repo}"
    try:
        done = remove_repository(server.home, server.served(), name, delete_data=delete_data)
    except UsageError as error:
        raise HTTPException(404, str(error)) from None
    if done is None:
        raise HTTPException(404, f"repository {name} is not registered")
    return Response(status_code=204)


def _shown(r: ServedRepository, server: ServerContext, request: Request) -> dict[str, object]:
    hosted = is_hosted(server.home, r)
    base = str(request.base_url).rstrip("/")
    return {
        "name": r.name,
        "url": r.url,
        "default_branch": r.default_branch,
        "has_webhook_secret": r.has_secret,
        "created_at": r.created_at,
        "forge": r.forge,
        "hosted": hosted,
        "clone_url": f"{base}/{r.name}.git" if hosted else None,
    }
