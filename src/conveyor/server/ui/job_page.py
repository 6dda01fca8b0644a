"""A job's page: its steps with durations, each step's log (colours, groups, search), the log
of a running step refreshed live; and artifact downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, StreamingResponse

from conveyor.engine.ports.store import ACTIVE_STATUSES, LogKey, StoredJob, StoredRun, StoredStep
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.run_artifacts import artifact_directory, zip_response, zipped
from conveyor.server.run_lookup import run_or_404
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.log_view import live_log_html, log_html
from conveyor.server.ui.templating import render

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]
SHOWN_LOG_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StepView:
    number: int  # -1: the job's own lines (set up, services, clean up)
    name: str
    status: str
    conclusion: str | None
    started_at: float | None
    finished_at: float | None
    log: str  # HTML
    truncated: bool
    stream: str | None = None  # a live log's server-sent events (log_stream.py)

    @property
    def live(self) -> bool:
        return self.status in ACTIVE_STATUSES


def check_job(ctx: ServerContext, run: StoredRun, key: str) -> StoredJob:
    """The run's job `key` (its current attempt), or 404."""
    return _job(run, ctx.store.runs.list_jobs(run.id, run.attempt), key)


def _job(run: StoredRun, jobs: list[StoredJob], key: str) -> StoredJob:
    for job in jobs:
        if job.instance_key == key:
            return job
    raise HTTPException(404, f"run {run.id} has no job {key!r}")


def _log(ctx: ServerContext, key: LogKey, live: bool) -> tuple[str, bool, str | None]:
    """The log's HTML, whether it was cut, and for a live log the URL of its stream (the
    HTML then shows its whole lines only: the stream goes on from there)."""
    chunk = ctx.store.logs.read(key, 0, SHOWN_LOG_BYTES)
    cut = chunk.truncated or len(chunk.text) >= SHOWN_LOG_BYTES
    if not live or cut:
        return log_html(chunk.text), cut, None
    text = chunk.text[: chunk.text.rfind("\n") + 1]
    shown = live_log_html(text)
    query = {"key": key.instance_key, "offset": len(text.encode("utf-8")), "lines": shown.lines}
    query |= {"group": "true"} if shown.in_group else {}
    query |= {} if key.step is None else {"step": key.step}
    return shown.html, False, f"/runs/{key.run_id}/job/log?{urlencode(query)}"


def _step(ctx: ServerContext, run: StoredRun, step: StoredStep) -> StepView:
    key = LogKey(run.id, run.attempt, step.instance_key, step.index)
    html, cut, stream = _log(ctx, key, step.status in ACTIVE_STATUSES)
    conclusion = str(step.conclusion) if step.conclusion else None
    times = (step.started_at, step.finished_at)
    return StepView(step.index, step.name, str(step.status), conclusion, *times, html, cut, stream)


def _own_lines(ctx: ServerContext, run: StoredRun, job: StoredJob) -> StepView | None:
    key = LogKey(run.id, run.attempt, job.instance_key, None)
    html, cut, _ = _log(ctx, key, False)  # polled: a stream per page is enough
    if not html:
        return None
    status, conclusion = str(job.status), str(job.conclusion) if job.conclusion else None
    return StepView(-1, "Job", status, conclusion, job.started_at, job.finished_at, html, cut)


def job_values(
    ctx: ServerContext, run: StoredRun, key: str, jobs: list[StoredJob] | None = None
) -> dict[str, Any]:
    """The job's steps and logs (`jobs`: the run's, when the caller has them already)."""
    job = _job(
        run, jobs if jobs is not None else ctx.store.runs.list_jobs(run.id, run.attempt), key
    )
    steps = [_step(ctx, run, s) for s in ctx.store.runs.list_steps(run.id, run.attempt, key)]
    own = _own_lines(ctx, run, job)
    return {
        "run": run,
        "job": job,
        "steps": [own, *steps] if own else steps,
        "live": job.status in ACTIVE_STATUSES or run.status in ACTIVE_STATUSES,
    }


@router.get("/runs/{run_id}/job", response_class=HTMLResponse)
def job_page(ctx: Context, who: Looker, run_id: int, key: str) -> str:
    run = run_or_404(ctx, run_id)
    jobs = ctx.store.runs.list_jobs(run.id, run.attempt)
    return render("job.html", viewer=who, jobs=jobs, **job_values(ctx, run, key, jobs))


@router.get("/runs/{run_id}/job/steps", response_class=HTMLResponse)
def job_steps(ctx: Context, who: Looker, run_id: int, key: str) -> str:
    return render("job_steps.html", viewer=who, **job_values(ctx, run_or_404(ctx, run_id), key))


@router.get("/runs/{run_id}/artifacts/{name}")
def artifact(ctx: Context, who: Looker, run_id: int, name: str) -> StreamingResponse:
    run = run_or_404(ctx, run_id)
    directory = artifact_directory(ctx.home, run.id, name)
    if directory is None:
        raise HTTPException(404, f"run {run_id} has no artifact {name!r}")
    return zip_response(zipped(directory), name)
