"""The job page's live log: a running step's log as server-sent events of rendered HTML, from
the byte offset the page showed (`GET /runs/{id}/job/log?key=&step=&offset=&lines=&group=`).

It follows the log as the REST API's stream does (`api.logs.follow_lines`) and renders each line
as the page does (`log_view.LiveLog`): `line` events (a `div.line`), `group` (a `details.group`
the next lines go into), `endgroup`, then one `end`. The page (static/ui.js) appends them; it
polls the steps for everything else, and for the log too when it cannot stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from conveyor.engine.ports.store import LogKey
from conveyor.server.api.logs import follow_lines
from conveyor.server.context import ServerContext
from conveyor.server.run_lookup import run_or_404
from conveyor.server.ui.job_page import Context, Looker, check_job
from conveyor.server.ui.log_view import LiveLog

router = APIRouter(include_in_schema=False)
Count = Annotated[int, Query(ge=0, le=2**62)]


@router.get("/runs/{run_id}/job/log")
def stream_step_log(
    ctx: Context,
    who: Looker,
    run_id: int,
    key: Annotated[str, Query(min_length=1, max_length=1024)],
    step: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    offset: Count = 0,
    lines: Count = 0,
    group: bool = False,
) -> StreamingResponse:
    run = run_or_404(ctx, run_id)
    check_job(ctx, run, key)
    events = rendered(ctx, LogKey(run.id, run.attempt, key, step), offset, LiveLog(lines, group))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


async def rendered(
    ctx: ServerContext, key: LogKey, offset: int, live: LiveLog
) -> AsyncIterator[str]:
    async for line, after in follow_lines(ctx, key, offset):
        for kind, html in live.events(line):
            yield f"id: {after}\nevent: {kind}\ndata: {html}\n\n"
    yield "event: end\ndata: {}\n\n"
