"""`GET /api/v1/runs` (filters, cursor pages) and `GET /api/v1/runs/{run_id}` (jobs, steps)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from conveyor.engine.ports.store import Conclusion, RunStatus
from conveyor.server.api.schemas import AnnotationBody, Job, Run, RunDetail, RunPage
from conveyor.server.auth import require
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.errors import ERRORS
from conveyor.server.principals import Role
from conveyor.server.run_lookup import run_or_404
from conveyor.store.run_search import RunFilter, search_runs, steps_by_job

router = APIRouter(prefix="/api/v1", tags=["runs"], responses=ERRORS)
Reader = Annotated[object, Depends(require(Role.READ))]
Context = Annotated[ServerContext, Depends(context)]
CURSOR = r"^[1-9][0-9]{0,17}$"
Text = Annotated[str | None, Query(min_length=1, max_length=1024)]


def cursor_id(cursor: str | None) -> int | None:
    """The run id a cursor stands for (CURSOR checked its form)."""
    return None if cursor is None else int(cursor)


@router.get("/runs", response_model=RunPage)
def list_runs(
    _: Reader,
    ctx: Context,
    repo: Text = None,
    workflow: Text = None,
    branch: Text = None,
    event: Text = None,
    status: RunStatus | None = None,
    conclusion: Conclusion | None = None,
    cursor: Annotated[
        str | None, Query(pattern=CURSOR, description="A page's next_cursor.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RunPage:
    """Runs, newest first; `next_cursor` is null on the last page."""
    wanted = RunFilter(
        repo, workflow, branch, event, text_or_none(status), text_or_none(conclusion),
        cursor_id(cursor), limit + 1,
    )  # fmt: skip
    found = search_runs(ctx.store.database, wanted)  # type: ignore[arg-type]
    page, more = found[:limit], len(found) > limit
    return RunPage(
        runs=[Run.of(run) for run in page], next_cursor=str(page[-1].id) if more else None
    )


def text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


@router.get("/runs/{run_id}", response_model=RunDetail)
def get_run(
    run_id: int,
    _: Reader,
    ctx: Context,
    attempt: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> RunDetail:
    """A run with the jobs, steps and annotations of its latest attempt (or `attempt`)."""
    run = run_or_404(ctx, run_id)
    number = attempt or run.attempt
    steps = steps_by_job(ctx.store.database, run_id, number)  # type: ignore[arg-type]
    jobs = [
        Job.of(job, steps.get(job.instance_key, []))
        for job in ctx.store.runs.list_jobs(run_id, number)
    ]
    notes = [AnnotationBody.of(note) for note in ctx.store.runs.list_annotations(run_id, number)]
    return RunDetail(**Run.of(run).model_dump(), jobs=jobs, annotations=notes)
