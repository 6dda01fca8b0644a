"""`GET /workers`: the workers of a server with a broker (labels, capacity, busy slots, last
heartbeat); without a broker the page says so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.templating import render

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]


@router.get("/workers", response_class=HTMLResponse)
def workers_page(ctx: Context, who: Looker) -> str:
    workers = ctx.workers.workers() if ctx.workers is not None else None
    return render("workers.html", viewer=who, workers=workers)
