"""Not on a terminal: one `[workflow/job] line` per event and per output line, written as it
comes (nothing is kept in memory, so a step writing 100 MB costs nothing here)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TextIO

from conveyor.cli.display.log_lines import classify
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, Conclusion, StepResult

_STEP_WORDS = {
    Conclusion.SUCCESS: "✅  Success",
    Conclusion.FAILURE: "❌  Failure",
    Conclusion.CANCELLED: "🚫  Cancelled",
    Conclusion.SKIPPED: "⏭  Skipped",
}
_JOB_WORDS = {
    Conclusion.SUCCESS: "🏁  Job succeeded",
    Conclusion.FAILURE: "🏁  Job failed",
    Conclusion.CANCELLED: "🏁  Job cancelled",
    Conclusion.SKIPPED: "⏭  Job skipped",
}


def prefix(job: JobView) -> str:
    return f"[{job.workflow_name}/{job.display_name}]"


class PlainDisplay:
    def __init__(self, stream: TextIO, *, verbose: bool = False) -> None:
        self._stream = stream
        self._verbose = verbose
        self._lock = threading.Lock()
        self._job_errors: dict[tuple[str, str], set[str]] = {}  # job-level errors shown

    def _emit(self, job: JobView, text: str, *, flush: bool = False) -> None:
        with self._lock:
            self._stream.write(f"{prefix(job)} {text}\n")
            if flush:
                self._stream.flush()

    def start(self) -> None:
        return None

    def stop(self) -> None:
        with self._lock:
            self._stream.flush()

    def job_started(self, job: JobView) -> None:
        self._emit(job, "🚀  Start", flush=True)

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        with self._lock:
            shown = self._job_errors.pop((job.run_id, job.instance_key), set())
        if record.error and record.error not in shown:  # the executor may have logged it
            self._emit(job, f"  Error: {record.error}")
        word = _JOB_WORDS[record.conclusion]
        if record.conclusion is Conclusion.FAILURE and record.continue_on_error:
            word += " (continue-on-error)"
        self._emit(job, word, flush=True)

    def step_started(self, job: JobView, index: int, name: str) -> None:
        self._emit(job, f"⭐  {name}", flush=True)

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        parsed = classify(line)
        if parsed.kind == "endgroup" or (parsed.kind == "debug" and not self._verbose):
            return
        if parsed.kind == "error" and index is None:
            with self._lock:
                self._job_errors.setdefault((job.run_id, job.instance_key), set()).add(parsed.text)
        self._emit(job, f"  | {parsed.rendered()}")

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        for line in lines:
            self.log_line(job, index, line)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        word = _STEP_WORDS[result.conclusion]
        if result.outcome is Conclusion.FAILURE and result.conclusion is Conclusion.SUCCESS:
            word = "⚠  Failure (continue-on-error)"
        self._emit(job, f"  {word} - {result.name}{_duration(result)}", flush=True)

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        return None  # shown with the summary at the end

    def message(self, text: str) -> None:
        with self._lock:
            self._stream.write(f"conveyor: {text}\n")
            self._stream.flush()


def _duration(result: StepResult) -> str:
    if result.started_at is None or result.finished_at is None:
        return ""
    return f" [{max(0.0, result.finished_at - result.started_at):.1f}s]"
