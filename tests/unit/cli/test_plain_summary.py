"""The plain summary is exactly what rich prints to a non-terminal stream, or it declines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from conveyor.cli.display.plain_summary import plain_summary, plain_width
from conveyor.cli.display.summary import render_summary, summary_parts
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord, RunRecord, WorkflowRecord
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion


def _job(name: str, conclusion: Conclusion, **extra: object) -> JobRecord:
    view = JobView("1", "ci.yml", "CI", name, name, name)
    return JobRecord(view, conclusion, **extra)  # type: ignore[arg-type]


def _rich(record: RunRecord, log_dir: Path | None, width: int) -> str:
    out = io.StringIO()
    render_summary(Console(file=out, width=width, highlight=False, soft_wrap=True), record, log_dir)
    return out.getvalue()


RECORDS = {
    "one job": RunRecord(
        Conclusion.SUCCESS,
        (
            WorkflowRecord(
                "1", "ci.yml", "CI", Conclusion.SUCCESS, (_job("build", Conclusion.SUCCESS),)
            ),
        ),
    ),
    "durations and notes": RunRecord(
        Conclusion.FAILURE,
        (
            WorkflowRecord(
                "1",
                "ci.yml",
                "CI",
                Conclusion.FAILURE,
                (
                    _job("a long job name (3.11, ubuntu)", Conclusion.SUCCESS, started_at=1.0),
                    _job(
                        "t",
                        Conclusion.FAILURE,
                        continue_on_error=True,
                        started_at=0.0,
                        finished_at=123456.78,
                        error="exit status 2 -> see the log",
                        annotations=(
                            Annotation(AnnotationLevel.WARNING, "look here", title="Lint"),
                        ),
                    ),
                    _job("s", Conclusion.SKIPPED),
                    _job("c", Conclusion.CANCELLED, started_at=0.0, finished_at=0.04),
                ),
            ),
            WorkflowRecord(
                "2", "bad.yml", "bad.yml", Conclusion.STARTUP_FAILURE, (), ("bad.yml 1 1 → y",)
            ),
        ),
    ),
    "no jobs": RunRecord(Conclusion.SKIPPED),
}


@pytest.mark.parametrize("name", sorted(RECORDS))
@pytest.mark.parametrize("with_logs", [True, False])
def test_plain_text_is_what_rich_prints(name: str, with_logs: bool, tmp_path: Path) -> None:
    record = RECORDS[name]
    log_dir = tmp_path if with_logs else None
    text = plain_summary(summary_parts(record, log_dir), 100)
    assert text is not None
    assert text == _rich(record, log_dir, 100)


@pytest.mark.parametrize(
    ("job_name", "error"),
    [
        ("build [linux]", None),  # markup
        ("build :x: now", None),  # an emoji code
        ("déploiement", None),  # not ASCII in a cell
        ("two  spaces", None),  # rich may re-space words
        ("x" * 120, None),  # wider than the console
        ("ok", "tab\there"),
        ("ok", "trailing "),
        ("ok", "see a.py:3: here"),  # might be an emoji code: rich knows
    ],
)
def test_declines_what_only_rich_renders_faithfully(job_name: str, error: str | None) -> None:
    job = _job(job_name, Conclusion.FAILURE, error=error)
    record = RunRecord(
        Conclusion.FAILURE, (WorkflowRecord("1", "ci.yml", "CI", Conclusion.FAILURE, (job,)),)
    )
    assert plain_summary(summary_parts(record, None), 100) is None


def test_declines_step_summaries() -> None:
    job = _job("b", Conclusion.SUCCESS, summary="## Done")
    record = RunRecord(
        Conclusion.SUCCESS, (WorkflowRecord("1", "ci.yml", "CI", Conclusion.SUCCESS, (job,)),)
    )
    assert plain_summary(summary_parts(record, None), 100) is None


def test_width_as_rich_computes_it() -> None:
    stream = io.StringIO()
    assert plain_width(stream, {"COLUMNS": "123"}) == 123
    assert plain_width(stream, {"COLUMNS": "0"}) is None
    assert plain_width(stream, {"FORCE_COLOR": "1"}) is None
    assert plain_width(stream, {"TTY_COMPATIBLE": "1"}) is None
    assert plain_width(stream, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "0", "COLUMNS": "90"}) == 90
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert plain_width(latin, {"COLUMNS": "90"}) is None
