"""The end of a run: a table of jobs, the annotations, the step summaries and where the logs are.

`summary_parts` says what is shown; `render_summary` shows it with rich (on a terminal, or when the
plain writer in `plain_summary` cannot reproduce rich's output exactly).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from conveyor.engine.records import JobRecord, RunRecord
from conveyor.model.results import AnnotationLevel, Conclusion

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

HEADERS = ("Job", "Result", "Duration")
_STYLES = {
    Conclusion.SUCCESS: "green",
    Conclusion.FAILURE: "red",
    Conclusion.CANCELLED: "yellow",
    Conclusion.SKIPPED: "dim",
}
_RUN_STYLES = {"success": "bold green", "skipped": "dim", "cancelled": "bold yellow"}


# Named tuples: values as frozen as dataclasses, far cheaper to define (this loads with every run).
class Line(NamedTuple):
    """One printed line: rich markup is read in it when `markup` is set."""

    text: str
    style: str | None = None
    markup: bool = True


class Row(NamedTuple):
    job: str
    result: str
    style: str
    duration: str


class SummaryParts(NamedTuple):
    rows: tuple[Row, ...]  # the jobs table (none: no table)
    notes: tuple[Line, ...]  # workflow errors and annotations
    summaries: tuple[tuple[str, str], ...]  # (job name, Markdown) step summaries
    closing: tuple[Line, ...]  # where the logs are, the run's conclusion


def summary_parts(record: RunRecord, log_dir: Path | None) -> SummaryParts:
    rows = tuple(
        Row(_job_name(job), _result(job), _STYLES[job.conclusion], _duration(job))
        for job in record.jobs
    )
    notes = [
        Line(line, "red", markup=False) for workflow in record.workflows for line in workflow.errors
    ]
    notes.extend(_annotations(record))
    notes.extend(_unavailable(record))
    notes.extend(_deferred(record))
    summaries = tuple((_job_name(job), job.summary) for job in record.jobs if job.summary.strip())
    closing = []
    if log_dir is not None and record.jobs:
        closing.append(Line(f"Logs: {log_dir}"))
    closing.append(Line(_run_line(record), _RUN_STYLES.get(record.conclusion, "bold red")))
    return SummaryParts(rows, tuple(notes), summaries, tuple(closing))


def render_summary(console: Console, record: RunRecord, log_dir: Path | None) -> None:
    parts = summary_parts(record, log_dir)
    if parts.rows:
        console.print(_jobs_table(parts.rows))
    for line in parts.notes:
        _print(console, line)
    for name, markdown in parts.summaries:
        from rich.markdown import Markdown  # only when there is a summary: it loads slowly

        console.rule(f"Summary: {name}")
        console.print(Markdown(markdown))
    for line in parts.closing:
        _print(console, line)


def _print(console: Console, line: Line) -> None:
    if line.markup:
        console.print(line.text, style=line.style, highlight=False)
    else:
        console.print(line.text, style=line.style, markup=False, highlight=False)


def _jobs_table(rows: tuple[Row, ...]) -> Table:
    from rich.table import Table

    table = Table(title=None, show_edge=False, header_style="bold")
    table.add_column(HEADERS[0])
    table.add_column(HEADERS[1])
    table.add_column(HEADERS[2], justify="right")
    for row in rows:
        table.add_row(row.job, f"[{row.style}]{row.result}[/]", row.duration)
    return table


def _job_name(job: JobRecord) -> str:
    return f"{job.view.workflow_name} / {job.view.display_name}"


def _run_line(record: RunRecord) -> str:
    """`Run success`, and how many jobs this host could not run (`(2 unavailable)`)."""
    count = record.unavailable
    return f"Run {record.conclusion}" + (f" ({count} unavailable)" if count else "")


def _deferred(record: RunRecord) -> list[Line]:
    """--dry-run: what only the run decides, per job."""
    return [
        Line(f"  {_job_name(job)}: {job.deferred}", markup=False)
        for job in record.jobs
        if job.deferred is not None
    ]


def _unavailable(record: RunRecord) -> list[Line]:
    """Why each unavailable job could not run here."""
    jobs = [job for job in record.jobs if job.unavailable is not None]
    if not jobs:
        return []
    lines = [Line("Unavailable on this host", "bold")]
    lines.extend(Line(f"  {_job_name(job)}: {job.unavailable}", markup=False) for job in jobs)
    return lines


def _result(job: JobRecord) -> str:
    if job.unavailable is not None:
        return "skipped (unavailable)"
    if job.deferred is not None:
        return "decided at run time"
    text = str(job.conclusion)
    if job.conclusion is Conclusion.FAILURE and job.continue_on_error:
        text += " (continue-on-error)"
    return text


def _duration(job: JobRecord) -> str:
    seconds = job.duration
    return "" if seconds is None else f"{seconds:.1f}s"


def _unannotated_error(job: JobRecord) -> bool:
    """A failed job's error that none of its annotations already says (the executor's do)."""
    if not job.error or job.conclusion is not Conclusion.FAILURE:
        return False
    said = {note.message for note in job.annotations if note.level is AnnotationLevel.ERROR}
    return job.error not in said


def _annotations(record: RunRecord) -> list[Line]:
    items = [(job, note) for job in record.jobs for note in job.annotations]
    errors = [job for job in record.jobs if _unannotated_error(job)]
    if not items and not errors:
        return []
    lines = [Line("Annotations", "bold")]
    for job in errors:
        lines.append(Line(f"  error ({_job_name(job)}): {job.error}", markup=False))
    for job, note in items:
        where = f"{note.file}:{note.line or 1}: " if note.file else ""
        title = f"{note.title}: " if note.title else ""
        text = f"  {note.level} {where}{title}{note.message} ({_job_name(job)})"
        lines.append(Line(text, markup=False))
    return lines
