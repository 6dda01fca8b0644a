"""Interim role checks for this branch's endpoints (dispatch, schedules): the token of
`Authorization: Bearer` through `ServerContext.tokens`, 401 without a valid one, 403 below the
role. The server's shared `conveyor.server.auth.require(role)` replaces these two when merged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.ports import Principal, Role


class Detail(BaseModel):
    detail: str


# The answers of the role check, for an endpoint's `responses=` (its OpenAPI document).
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Detail, "description": "no valid API token"},
    403: {"model": Detail, "description": "the token's role is too low"},
}


def principal_with(role: Role, request: Request, ctx: ServerContext) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = ctx.tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        raise HTTPException(
            401,
            "an API token is required (Authorization: Bearer TOKEN)",
            {"WWW-Authenticate": "Bearer"},
        )
    if principal.role < role:
        needed, held = role.name.lower(), principal.role.name.lower()
        raise HTTPException(403, f"token '{principal.name}' is {held}-only; this needs {needed}")
    return principal


def write_principal(request: Request, ctx: Annotated[ServerContext, Depends(context)]) -> Principal:
    return principal_with(Role.WRITE, request, ctx)


def read_principal(request: Request, ctx: Annotated[ServerContext, Depends(context)]) -> Principal:
    return principal_with(Role.READ, request, ctx)
