"""`/api/v1/repos`: the registered repositories. `GET` (a read token) lists them, never the
webhook secret; `POST` and `DELETE /api/v1/repos/{owner}/{repo}` (an admin token) add and
remove them, as `conveyor repos --server URL --token T` does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from conveyor.errors import UsageError
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.principals import Principal, Role
from conveyor.store.served_repositories import ServedRepository

router = APIRouter()


def bearer(request: Request, role: Role) -> Principal:
    """The principal of the request's Bearer token, with at least `role`; 401/403 otherwise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    found = None
    if scheme.lower() == "bearer" and token.strip():
        found = request.app.state.context.tokens.verify(token.strip())
    if found is None:
        raise HTTPException(401, "a valid API token is needed (Authorization: Bearer TOKEN)")
    if found.role < role:
        raise HTTPException(403, f"this needs a token with the {role.name.lower()} role")
    assert isinstance(found, Principal)
    return found


def reader(request: Request) -> Principal:
    return bearer(request, Role.READ)


@router.get("/api/v1/repos", tags=["repositories"])
def list_repos(
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(reader)],
) -> dict[str, list[dict[str, object]]]:
    return {"repos": [_shown(r) for r in server.served().list()]}


def admin(request: Request) -> Principal:
    return bearer(request, Role.ADMIN)


class NewRepository(BaseModel):
    name: str  # owner/repo
    url: str  # clone URL or a path on the server's machine
    default_branch: str = "main"
    webhook_secret: str | None = None  # write-only: never returned


@router.post("/api/v1/repos", tags=["repositories"], status_code=201)
def add_repo(
    body: NewRepository,
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(admin)],
) -> dict[str, object]:
    new = ServedRepository(body.name, body.url, body.default_branch, False, 0.0)
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
    _principal: Annotated[Principal, Depends(admin)],
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
    }
