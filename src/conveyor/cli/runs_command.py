"""`conveyor runs`: the run history, newest first, as a table or JSON."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import click

from conveyor.bootstrap.settings import load_settings
from conveyor.engine.ports.store import RunQuery, RunStatus, StoredRun
from conveyor.model.results import Conclusion
from conveyor.store.quick_listing import quick_runs

STATUS_WORDS = sorted({str(s) for s in RunStatus} | {str(c) for c in Conclusion})


@click.command("runs")
@click.option("-w", "--workflow", help="Only runs of this workflow (name, path or file name).")
@click.option(
    "-s", "--status", type=click.Choice(STATUS_WORDS), help="Only runs with this status/conclusion."
)
@click.option("-L", "--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of runs.")
def runs_command(workflow: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """List recorded runs (a run whose process died shows as abandoned)."""
    query = RunQuery(workflow=workflow, status=status, limit=limit)
    settings = load_settings()
    runs = quick_runs(settings.home, query, settings.database)  # stdlib sqlite3: no SQLAlchemy
    if runs is None:
        from conveyor.store.handle import opened_store

        with opened_store(settings.home, settings.database) as store:
            runs = store.runs.list_runs(query)
    if as_json:
        click.echo(json.dumps([run_json(run) for run in runs], indent=2))
        return
    if not runs:
        click.echo("no runs recorded yet", err=True)
        return
    click.echo(render_table(runs))


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def run_json(run: StoredRun) -> dict[str, object]:
    return {
        "id": run.id,
        "workflow": run.workflow,
        "workflow_path": run.workflow_path,
        "run_number": run.run_number,
        "attempt": run.attempt,
        "event": run.event,
        "ref": run.ref,
        "sha": run.sha,
        "status": str(run.status),
        "conclusion": None if run.conclusion is None else str(run.conclusion),
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "reason": run.reason,
        "repository": run.repository,
    }


def state_word(run: StoredRun) -> str:
    return str(run.conclusion) if run.conclusion is not None else str(run.status)


def short_ref(ref: str | None) -> str:
    if not ref:
        return "-"
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def duration(run: StoredRun) -> str:
    if run.started_at is None:
        return "-"
    seconds = int((run.finished_at or time.time()) - run.started_at)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def render_table(runs: list[StoredRun]) -> str:
    header = ("ID", "STATUS", "WORKFLOW", "EVENT", "REF", "SHA", "STARTED", "TOOK")
    rows = [header] + [
        (
            f"{run.id}" + (f".{run.attempt}" if run.attempt > 1 else ""),
            state_word(run),
            run.workflow,
            run.event,
            short_ref(run.ref),
            (run.sha or "-")[:7],
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at or run.created_at)),
            duration(run),
        )
        for run in runs
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    reasons = [f"run {run.id}: {run.reason}" for run in runs if run.reason]
    return "\n".join([line.rstrip() for line in lines] + reasons)
