"""The runs list (with filters, rows refreshed live) and a run's page (graph, approvals,
annotations, summaries, artifacts; its live part refreshed while the run is active)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse

from conveyor.engine.ports.store import (
    ACTIVE_STATUSES,
    ApprovalState,
    Conclusion,
    RunQuery,
    RunStatus,
    StoredJob,
    StoredRun,
)
from conveyor.server.context import ServerContext
from conveyor.server.dependencies import context
from conveyor.server.run_artifacts import run_artifacts
from conveyor.server.run_lookup import run_or_404
from conveyor.server.ui.auth import Viewer, viewer
from conveyor.server.ui.job_graph import job_graph
from conveyor.server.ui.summaries import render_summary
from conveyor.server.ui.templating import branch, render
from conveyor.store.step_summaries import read_summary

router = APIRouter(include_in_schema=False)

Context = Annotated[ServerContext, Depends(context)]
Looker = Annotated[Viewer, Depends(viewer)]
LIST_SIZE, SCAN_SIZE = 50, 1000


@dataclass(frozen=True, slots=True)
class RunFilters:
    repo: str | None = None
    workflow: str | None = None
    branch: str | None = None
    event: str | None = None
    status: str | None = None

    def query(self) -> dict[str, str]:
        return {name: value for name in self.__slots__ if (value := getattr(self, name))}

    def matches(self, run: StoredRun) -> bool:
        return (not self.branch or branch(run.ref) == self.branch) and (
            not self.event or run.event == self.event
        )


def _filters(
    repo: str | None = None,
    workflow: str | None = None,
    branch: str | None = None,
    event: str | None = None,
    status: str | None = None,
) -> RunFilters:
    if status and status not in _STATUSES:
        raise HTTPException(400, f"unknown status {status!r}: use one of {', '.join(_STATUSES)}")
    blank = {None, ""}
    return RunFilters(*(None if v in blank else v for v in (repo, workflow, branch, event, status)))


_STATUSES = tuple(dict.fromkeys([*map(str, RunStatus), *map(str, Conclusion)]))


Filters = Annotated[RunFilters, Depends(_filters)]


def listed_runs(ctx: ServerContext, filters: RunFilters) -> list[StoredRun]:
    query = RunQuery(filters.workflow, filters.status, filters.repo, limit=SCAN_SIZE)
    return [run for run in ctx.store.runs.list_runs(query) if filters.matches(run)][:LIST_SIZE]


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/runs", status_code=303)


@router.get("/runs", response_class=HTMLResponse)
def runs_page(ctx: Context, who: Looker, filters: Filters) -> str:
    runs = listed_runs(ctx, filters)
    return render("runs.html", viewer=who, runs=runs, filters=filters, live=_live(runs))


@router.get("/runs/rows", response_class=HTMLResponse)
def runs_rows(ctx: Context, who: Looker, filters: Filters) -> str:
    runs = listed_runs(ctx, filters)
    return render("runs_rows.html", viewer=who, runs=runs, filters=filters, live=_live(runs))


def _live(runs: list[StoredRun]) -> bool:
    return any(run.status in ACTIVE_STATUSES for run in runs)


def run_values(ctx: ServerContext, run: StoredRun) -> dict[str, Any]:
    """What the run page and its live part show."""
    jobs = ctx.store.runs.list_jobs(run.id, run.attempt)
    waiting = [
        a for a in ctx.store.environments.list_approvals(run.id)
        if a.attempt == run.attempt and a.state is ApprovalState.WAITING
    ]  # fmt: skip
    return {
        "run": run,
        "jobs": jobs,
        "graph": job_graph(jobs, ctx.job_needs(run)),
        "waiting": waiting,
        "live": run.status in ACTIVE_STATUSES,
        "failed": any(str(j.conclusion) in ("failure", "cancelled") for j in jobs),
    }


def _summaries(ctx: ServerContext, run: StoredRun, jobs: list[StoredJob]) -> list[tuple[str, str]]:
    found = [
        (job, read_summary(ctx.store.logs, run.id, run.attempt, job.instance_key)) for job in jobs
    ]
    return [(job.instance_key, render_summary(text)) for job, text in found if text.strip()]


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(ctx: Context, who: Looker, run_id: int) -> str:
    run = run_or_404(ctx, run_id)
    values = run_values(ctx, run)
    return render(
        "run.html",
        viewer=who,
        annotations=ctx.store.runs.list_annotations(run.id, run.attempt),
        summaries=_summaries(ctx, run, values["jobs"]),
        artifacts=run_artifacts(ctx.home, run.id),
        **values,
    )


@router.get("/runs/{run_id}/live", response_class=HTMLResponse)
def run_live(ctx: Context, who: Looker, run_id: int) -> HTMLResponse:
    """The run's live part; once the run has ended, htmx reloads the whole page (annotations,
    summaries and artifacts are outside the live part)."""
    values = run_values(ctx, run_or_404(ctx, run_id))
    reload = {} if values["live"] else {"HX-Refresh": "true"}
    return HTMLResponse(render("run_live.html", viewer=who, **values), headers=reload)
