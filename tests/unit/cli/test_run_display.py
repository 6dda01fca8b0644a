"""What `conveyor run` shows: plain prefixed lines, log files, the summary, the JSON record."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from conveyor.cli.display.log_files import LogFiles
from conveyor.cli.display.plain import PlainDisplay
from conveyor.cli.display.summary import render_summary
from conveyor.cli.run_command import exit_code
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord, RunRecord, WorkflowRecord
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, StepResult

VIEW = JobView(
    "7", ".github/workflows/ci.yml", "CI", "test (3.11)", "test", "test (3.11)", {"py": "3.11"}
)


def _record(conclusion: Conclusion = Conclusion.SUCCESS, **extra: object) -> JobRecord:
    step = StepResult(0, "Run tests", Conclusion.FAILURE, Conclusion.SUCCESS, id="t")
    return JobRecord(VIEW, conclusion, steps=(step,), outputs={"v": "1"}, **extra)  # type: ignore[arg-type]


def test_plain_lines_are_prefixed_and_debug_needs_verbose() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.job_started(VIEW)
    display.step_started(VIEW, 0, "Run tests")
    display.log_line(VIEW, 0, "hello")
    display.log_line(VIEW, 0, "##[debug]hidden")
    display.log_line(VIEW, 0, "##[group]Details")
    display.log_line(VIEW, 0, "##[endgroup]")
    display.step_finished(VIEW, StepResult(0, "Run tests", Conclusion.FAILURE, Conclusion.SUCCESS))
    display.job_finished(VIEW, _record(Conclusion.FAILURE, continue_on_error=True, error="boom"))
    lines = out.getvalue().splitlines()
    assert all(line.startswith("[CI/test (3.11)] ") for line in lines)
    text = "\n".join(lines)
    assert "| hello" in text
    assert "hidden" not in text
    assert "▸ Details" in text
    assert "Failure (continue-on-error) - Run tests" in text
    assert "Error: boom" in text
    assert "Job failed (continue-on-error)" in text
    verbose = io.StringIO()
    PlainDisplay(verbose, verbose=True).log_line(VIEW, 0, "##[debug]shown")
    assert "Debug: shown" in verbose.getvalue()


def test_a_job_error_already_logged_is_shown_once() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.log_line(VIEW, None, "##[error]service db: unhealthy")
    display.job_finished(VIEW, _record(Conclusion.FAILURE, error="service db: unhealthy"))
    display.job_finished(VIEW, _record(Conclusion.FAILURE, error="exceeded its timeout"))
    text = out.getvalue()
    assert text.count("service db: unhealthy") == 1
    assert "| Error: service db: unhealthy" in text
    assert "  Error: exceeded its timeout" in text  # not logged: shown at the job's end


def test_summary_shows_a_job_error_once_with_its_annotation() -> None:
    note = Annotation(AnnotationLevel.ERROR, "service db: unhealthy")
    annotated = _record(Conclusion.FAILURE, annotations=(note,), error="service db: unhealthy")
    bare = _record(Conclusion.FAILURE, error="exceeded its timeout")
    workflow = WorkflowRecord("7", "ci.yml", "CI", Conclusion.FAILURE, (annotated, bare))
    out = io.StringIO()
    render_summary(Console(file=out, width=200), RunRecord(Conclusion.FAILURE, (workflow,)), None)
    text = out.getvalue()
    assert text.count("service db: unhealthy") == 1
    assert "error (CI / test (3.11)): exceeded its timeout" in text


def test_log_files_keep_every_line(tmp_path: Path) -> None:
    logs = LogFiles(tmp_path)
    logs.job_started(VIEW)
    for number in range(1000):
        logs.log_line(VIEW, 0, f"line {number}")
    logs.job_finished(VIEW, _record())
    text = logs.path_for(VIEW).read_text(encoding="utf-8")
    assert logs.path_for(VIEW).parent.name == "ci"
    assert "line 0\n" in text
    assert "line 999\n" in text
    assert text.endswith("success\n")


def test_a_jobs_log_file_is_made_by_its_first_line_not_when_it_starts(tmp_path: Path) -> None:
    """`job_started` comes from the scheduler's thread, which starts a wave's jobs one after
    another: it makes no file; the job's first line (on its own thread) makes it, header first."""
    logs = LogFiles(tmp_path)
    logs.job_started(VIEW)
    assert not logs.path_for(VIEW).exists()
    logs.step_started(VIEW, 0, "Run tests")
    logs.job_finished(VIEW, _record())
    lines = logs.path_for(VIEW).read_text(encoding="utf-8").splitlines()
    assert lines == ["=== test (3.11)", "--- step 1: Run tests", "=== test (3.11): success"]


def test_a_job_that_never_started_still_gets_its_file(tmp_path: Path) -> None:
    logs = LogFiles(tmp_path)
    logs.job_finished(VIEW, _record(Conclusion.SKIPPED))
    assert logs.path_for(VIEW).read_text(encoding="utf-8") == "=== test (3.11): skipped\n"


def test_summary_lists_jobs_annotations_summaries_and_logs(tmp_path: Path) -> None:
    note = Annotation(AnnotationLevel.WARNING, "look here", file="src/a.py", line=3)
    record = RunRecord(
        Conclusion.FAILURE,
        (
            WorkflowRecord(
                "7",
                "ci.yml",
                "CI",
                Conclusion.FAILURE,
                (_record(annotations=(note,), summary="## Done"),),
            ),
            WorkflowRecord(
                "8",
                "bad.yml",
                "bad.yml",
                Conclusion.STARTUP_FAILURE,
                (),
                ("bad.yml:1:1: error[x]: y",),
            ),
        ),
    )
    out = io.StringIO()
    render_summary(Console(file=out, width=100), record, tmp_path)
    text = out.getvalue()
    assert "CI / test (3.11)" in text
    assert "success" in text
    assert "warning src/a.py:3: look here" in text
    assert "Done" in text
    assert f"Logs: {tmp_path}" in text
    assert "bad.yml:1:1: error[x]: y" in text
    assert text.rstrip().endswith("Run failure")


def test_json_record_shape() -> None:
    record = RunRecord(
        Conclusion.SUCCESS, (WorkflowRecord("7", "ci.yml", "CI", Conclusion.SUCCESS, (_record(),)),)
    )
    data = json.loads(json.dumps(record.as_json()))
    assert data["conclusion"] == "success"
    job = data["jobs"][0]
    assert {"id", "name", "matrix", "conclusion", "outputs", "steps"} <= set(job)
    assert job["id"] == "test"
    assert job["matrix"] == {"py": "3.11"}
    assert job["outputs"] == {"v": "1"}
    assert job["steps"] == [
        {"name": "Run tests", "id": "t", "outcome": "failure", "conclusion": "success"}
    ]
    assert data["workflows"][0]["path"] == "ci.yml"


def test_exit_codes() -> None:
    assert exit_code(RunRecord(Conclusion.SUCCESS)) == 0
    assert exit_code(RunRecord(Conclusion.SKIPPED)) == 0
    assert exit_code(RunRecord(Conclusion.FAILURE)) == 1
    assert exit_code(RunRecord(Conclusion.CANCELLED)) == 1
    assert exit_code(RunRecord(Conclusion.CANCELLED, interrupted=True)) == 130
