"""`POST /api/v1/repos/{owner}/{repo}/workflows/{workflow_file}/dispatches`: start a
`workflow_dispatch` run as GitHub's API does (204 No Content; 404 or 422 with a message).

Needs a token with the write role (`conveyor.server.auth.require(Role.WRITE)`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.dispatch_plan import DispatchAsk, DispatchRefused, plan_dispatch
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Principal, Role

router = APIRouter()


class DispatchBody(BaseModel):
    ref: str = Field(description="the branch or tag to run the workflow at (`main`, `v1`)")
    inputs: dict[str, str | bool | int | float] = Field(
        default_factory=dict, description="the workflow's `workflow_dispatch` inputs"
    )


@router.post(
    "/api/v1/repos/{owner}/{repo}/workflows/{workflow_file}/dispatches",
    status_code=204,
    tags=["dispatch"],
    responses={204: {"description": "the run was requested"}, **ERRORS},
)
def create_dispatch(
    owner: str,
    repo: str,
    workflow_file: str,
    body: DispatchBody,
    principal: Annotated[Principal, Depends(require(Role.WRITE))],
    ctx: Annotated[ServerContext, Depends(context)],
) -> Response:
    """Start the workflow's `workflow_dispatch` run at `ref` with `inputs` (GitHub's API)."""
    ask = DispatchAsk(f"{owner}/{repo}", workflow_file, body.ref, body.inputs, principal)
    planned = plan_dispatch(ask, ctx.workflows, ctx.store.environments)
    if isinstance(planned, DispatchRefused):
        return JSONResponse({"message": planned.message}, status_code=planned.status)
    ctx.starter.start(planned)
    return Response(status_code=204)
