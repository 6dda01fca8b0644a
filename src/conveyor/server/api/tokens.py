"""`/api/v1/tokens` (admin): what `conveyor tokens` does, for a client on another machine.
A token is shown once, in the answer that made it; listings never hold one or its hash."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from pydantic import BaseModel, Field

from conveyor.server.api.runs import Context
from conveyor.server.api.schemas import iso
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Role
from conveyor.store.api_tokens import SqlTokenStore

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], responses=ERRORS)
Admin = Annotated[object, Depends(require(Role.ADMIN))]
TOKEN_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class NewToken(BaseModel):
    name: str = Field(pattern=TOKEN_NAME)
    role: Literal["read", "write", "admin", "worker"] = "read"


class CreatedToken(BaseModel):
    name: str
    role: str
    token: str = Field(description="Shown once: store it now.")


class TokenInfo(BaseModel):
    name: str
    role: str
    created_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class TokenList(BaseModel):
    tokens: list[TokenInfo]


def token_store(ctx: ServerContext) -> SqlTokenStore:
    return SqlTokenStore(ctx.store.database)  # type: ignore[arg-type]


@router.get("", response_model=TokenList)
def list_tokens(_: Admin, ctx: Context) -> TokenList:
    return TokenList(
        tokens=[
            TokenInfo(
                name=record.name,
                role=record.role,
                created_at=iso(record.created_at),
                last_used_at=iso(record.last_used_at),
                revoked_at=iso(record.revoked_at),
            )
            for record in token_store(ctx).list()
        ]
    )


@router.post("", response_model=CreatedToken, status_code=201)
def create_token(body: NewToken, _: Admin, ctx: Context) -> CreatedToken:
    tokens = token_store(ctx)
    if any(record.name == body.name for record in tokens.list()):
        raise HTTPException(409, f"a token named {body.name!r} already exists")
    return CreatedToken(name=body.name, role=body.role, token=tokens.create(body.name, body.role))


@router.delete("/{name}", status_code=204, response_class=Response)
def revoke_token(
    name: Annotated[str, Path(pattern=TOKEN_NAME)], _: Admin, ctx: Context
) -> Response:
    if not token_store(ctx).revoke(name):
        raise HTTPException(404, f"there is no live token named {name!r}")
    return Response(status_code=204)
