"""Every job's full log in a file: `<CONVEYOR_HOME>/logs/<session>/<workflow>/<job>.log`."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TextIO

from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, StepResult

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_")[:120] or "job"


class LogFiles:
    """A RunObserver that writes each job's lines to its own file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, TextIO] = {}
        self._lock = threading.Lock()

    def path_for(self, job: JobView) -> Path:
        workflow = safe_name(Path(job.workflow_path).stem)
        return self.directory / workflow / f"{safe_name(job.instance_key)}.log"

    def _write(self, job: JobView, text: str) -> None:
        with self._lock:
            handle = self._files.get(job.instance_key + "\0" + job.workflow_path)
            if handle is None:
                path = self.path_for(job)
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = path.open("a", encoding="utf-8", errors="replace")
                self._files[job.instance_key + "\0" + job.workflow_path] = handle
            handle.write(text + "\n")

    def job_started(self, job: JobView) -> None:
        self._write(job, f"=== {job.display_name}")

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        if record.error:
            self._write(job, f"error: {record.error}")
        self._write(job, f"=== {job.display_name}: {record.conclusion}")
        with self._lock:
            handle = self._files.pop(job.instance_key + "\0" + job.workflow_path, None)
        if handle is not None:
            handle.close()

    def step_started(self, job: JobView, index: int, name: str) -> None:
        self._write(job, f"--- step {index + 1}: {name}")

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        self._write(job, line)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        self._write(job, f"--- step {result.index + 1}: {result.name}: {result.conclusion}")

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        self._write(job, f"{annotation.level}: {annotation.message}")

    def message(self, text: str) -> None:
        return None

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()
