"""`GET /api/v1/schedules[?repo=owner/repo]`: each cron entry of the registered repositories'
default-branch workflows, when it fires next and when it last fired (read role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Principal, Role
from conveyor.server.schedule_loop import claims_for
from conveyor.server.schedules import iso_utc, schedule_entries

router = APIRouter()


class ScheduleItem(BaseModel):
    repository: str
    workflow: str  # .github/workflows/nightly.yml
    name: str
    cron: str
    timezone: str | None
    next: str  # ISO 8601, UTC
    last: str | None  # the last tick fired for the workflow (by any scheduler)


class ScheduleList(BaseModel):
    schedules: list[ScheduleItem]


@router.get("/api/v1/schedules", tags=["schedules"], responses=ERRORS)
def list_schedules(
    _principal: Annotated[Principal, Depends(require(Role.READ))],
    ctx: Annotated[ServerContext, Depends(context)],
    repo: Annotated[str | None, Query(description="only this repository (owner/repo)")] = None,
) -> ScheduleList:
    if ctx.workflows is None:
        return ScheduleList(schedules=[])
    claims = claims_for(ctx)
    items = []
    for entry in schedule_entries(ctx.workflows, ctx.clock(), repo):
        last = claims.last_tick(entry.repository, entry.path) if claims is not None else None
        items.append(
            ScheduleItem(
                repository=entry.repository,
                workflow=entry.path,
                name=entry.name,
                cron=entry.cron,
                timezone=entry.timezone,
                next=iso_utc(entry.next),
                last=None if last is None else iso_utc(last),
            )
        )
    return ScheduleList(schedules=items)
