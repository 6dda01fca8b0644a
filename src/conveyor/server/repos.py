"""`GET /api/v1/repos`: the registered repositories (a read token; never the webhook secret)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.ports import Principal, Role

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
        raise HTTPException(403, f"this needs a {role.name.lower()} token")
    assert isinstance(found, Principal)
    return found


def reader(request: Request) -> Principal:
    return bearer(request, Role.READ)


@router.get("/api/v1/repos", tags=["repositories"])
def list_repos(
    server: Annotated[ServerContext, Depends(context)],
    _principal: Annotated[Principal, Depends(reader)],
) -> dict[str, list[dict[str, object]]]:
    repositories = server.served().list()
    return {
        "repos": [
            {
                "name": r.name,
                "url": r.url,
                "default_branch": r.default_branch,
                "has_webhook_secret": r.has_secret,
                "created_at": r.created_at,
            }
            for r in repositories
        ]
    }
