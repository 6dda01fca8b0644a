"""The end of a run: a table of jobs, the annotations, the step summaries and where the logs are."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from conveyor.engine.records import JobRecord, RunRecord
from conveyor.model.results import Status

_STYLES = {
    Status.SUCCESS: "green",
    Status.FAILURE: "red",
    Status.CANCELLED: "yellow",
    Status.SKIPPED: "dim",
}
_RUN_STYLES = {"success": "bold green", "skipped": "dim", "cancelled": "bold yellow"}


def render_summary(console: Console, record: RunRecord, log_dir: Path | None) -> None:
    if record.jobs:
        console.print(_jobs_table(record))
    for workflow in record.workflows:
        for line in workflow.errors:
            console.print(line, style="red", markup=False, highlight=False)
    _annotations(console, record)
    _summaries(console, record)
    if log_dir is not None and record.jobs:
        console.print(f"Logs: {log_dir}", highlight=False)
    style = _RUN_STYLES.get(record.conclusion, "bold red")
    console.print(f"Run {record.conclusion}", style=style)


def _jobs_table(record: RunRecord) -> Table:
    table = Table(title=None, show_edge=False, header_style="bold")
    table.add_column("Job")
    table.add_column("Result")
    table.add_column("Duration", justify="right")
    for job in record.jobs:
        table.add_row(_job_name(job), _result(job), _duration(job))
    return table


def _job_name(job: JobRecord) -> str:
    return f"{job.view.workflow_name} / {job.view.display_name}"


def _result(job: JobRecord) -> str:
    text = str(job.conclusion)
    if job.conclusion is Status.FAILURE and job.continue_on_error:
        text += " (continue-on-error)"
    return f"[{_STYLES[job.conclusion]}]{text}[/]"


def _duration(job: JobRecord) -> str:
    seconds = job.duration
    return "" if seconds is None else f"{seconds:.1f}s"


def _annotations(console: Console, record: RunRecord) -> None:
    items = [(job, note) for job in record.jobs for note in job.annotations]
    errors = [job for job in record.jobs if job.error and job.conclusion is Status.FAILURE]
    if not items and not errors:
        return
    console.print("Annotations", style="bold")
    for job in errors:
        console.print(f"  error ({_job_name(job)}): {job.error}", markup=False, highlight=False)
    for job, note in items:
        where = f"{note.file}:{note.line or 1}: " if note.file else ""
        title = f"{note.title}: " if note.title else ""
        text = f"  {note.level} {where}{title}{note.message} ({_job_name(job)})"
        console.print(text, markup=False, highlight=False)


def _summaries(console: Console, record: RunRecord) -> None:
    for job in record.jobs:
        if job.summary.strip():
            from rich.markdown import Markdown  # only when there is a summary: it loads slowly

            console.rule(f"Summary: {_job_name(job)}")
            console.print(Markdown(job.summary))
