"""A job's or a step's log: by byte offset (`GET .../logs`) and live (`GET .../logs/stream`, SSE).

The stream sends each complete line as an SSE `log` event whose `id` is the byte offset after it
(a reconnecting client's `Last-Event-ID` resumes there), follows the log while the job runs and
ends with an `end` event once the job (or the run) completed and the log is drained."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import StreamingResponse

from conveyor.engine.ports.store import LogChunk, LogKey, RunStatus
from conveyor.server.api.runs import Context, Reader
from conveyor.server.api.schemas import LogChunkBody
from conveyor.server.context import ServerContext
from conveyor.server.errors import ERRORS
from conveyor.server.run_lookup import run_or_404

router = APIRouter(prefix="/api/v1", tags=["logs"], responses=ERRORS)
POLL_SECONDS = 0.05  # how often a followed log file is read
STATUS_EVERY = 10  # polls between two looks at the job's status in the database
MAX_CHUNK = 1 << 20
Job = Annotated[str, Query(min_length=1, max_length=1024, description="The job's key.")]
StepIndex = Annotated[int | None, Query(ge=0, le=100_000, description="A step (0-based).")]
Offset = Annotated[int, Query(ge=0, le=2**62)]
Attempt = Annotated[int | None, Query(ge=1, le=10_000)]


def log_key(
    ctx: ServerContext, run_id: int, job: str, step: int | None, attempt: int | None
) -> LogKey:
    run = run_or_404(ctx, run_id)
    number = attempt or run.attempt
    if not any(j.instance_key == job for j in ctx.store.runs.list_jobs(run_id, number)):
        raise HTTPException(404, f"run {run_id} attempt {number} has no job {job!r}")
    return LogKey(run_id, number, job, step)


@router.get("/runs/{run_id}/logs", response_model=LogChunkBody)
def read_log(
    run_id: int,
    job: Job,
    _: Reader,
    ctx: Context,
    step: StepIndex = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_CHUNK)] = MAX_CHUNK,
    attempt: Attempt = None,
) -> LogChunkBody:
    """The log's text from byte `offset` (a step's, or the job's own lines without `step`)."""
    chunk = ctx.store.logs.read(log_key(ctx, run_id, job, step, attempt), offset, limit)
    return LogChunkBody(
        text=chunk.text, offset=offset, next_offset=chunk.next_offset, truncated=chunk.truncated
    )


@router.get(
    "/runs/{run_id}/logs/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
)
def stream_log(
    run_id: int,
    job: Job,
    _: Reader,
    ctx: Context,
    step: StepIndex = None,
    offset: Offset = 0,
    attempt: Attempt = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    """Follow the log live: `log` events (one line each), then one `end` event."""
    key = log_key(ctx, run_id, job, step, attempt)
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else offset
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        follow(ctx, key, start), media_type="text/event-stream", headers=headers
    )


async def follow(ctx: ServerContext, key: LogKey, offset: int) -> AsyncIterator[str]:
    async for line, after in follow_lines(ctx, key, offset):
        yield log_event(line, after)
    yield end_event(ctx, key)


async def follow_lines(
    ctx: ServerContext, key: LogKey, offset: int
) -> AsyncIterator[tuple[str, int]]:
    """Each whole line of the log from byte `offset` with the offset after it, as it is
    written, until the job (or the run) completed and the log is drained (the web UI's live
    log follows it too)."""
    polls, ended = 0, False
    while True:
        if not ended and polls % STATUS_EVERY == 0:
            ended = await asyncio.to_thread(job_ended, ctx, key)
        chunk = ctx.store.logs.read(key, offset, MAX_CHUNK)
        lines, offset = complete_lines(chunk, final=ended)
        for line in lines:
            yield line
        if ended and not lines:
            return
        polls += 1
        if not lines:
            await asyncio.sleep(POLL_SECONDS)


def complete_lines(chunk: LogChunk, *, final: bool) -> tuple[list[tuple[str, int]], int]:
    """The chunk's whole lines with the offset after each; a last partial line only if final."""
    found: list[tuple[str, int]] = []
    position = chunk.offset
    for line in chunk.text.splitlines(keepends=True):
        if not line.endswith("\n") and not final:
            break
        position += len(line.encode("utf-8"))
        found.append((line.rstrip("\r\n"), min(position, chunk.next_offset)))
    return found, found[-1][1] if found else chunk.offset


def log_event(line: str, after: int) -> str:
    data = "\ndata: ".join(line.replace("\r", "\n").split("\n"))
    return f"id: {after}\nevent: log\ndata: {data}\n\n"


def job_ended(ctx: ServerContext, key: LogKey) -> bool:
    run = ctx.store.runs.get_run(key.run_id)
    if run is None or run.status is RunStatus.COMPLETED or run.attempt != key.attempt:
        return True
    jobs = ctx.store.runs.list_jobs(key.run_id, key.attempt)
    return any(j.instance_key == key.instance_key and j.status is RunStatus.COMPLETED for j in jobs)


def end_event(ctx: ServerContext, key: LogKey) -> str:
    jobs = ctx.store.runs.list_jobs(key.run_id, key.attempt)
    job = next((j for j in jobs if j.instance_key == key.instance_key), None)
    conclusion = None if job is None or job.conclusion is None else str(job.conclusion)
    return f"event: end\ndata: {json.dumps({'conclusion': conclusion})}\n\n"
