"""Every job's full log in a file: `<CONVEYOR_HOME>/logs/<session>/<workflow>/<job>.log` (0600).

A file that cannot be written (a full disk) keeps what it had: its job's later lines are not
written to it, and the line that failed raises OSError (naming the file) to the step that
printed it, which fails with that message (see executors/local/step_process.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, StepResult
from conveyor.private_files import open_private, private_directory

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_")[:120] or "job"


class LogFiles:
    """A RunObserver that writes each job's lines to its own file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, TextIO] = {}
        self._failed: set[str] = set()  # jobs whose file could not be written
        self._headers: dict[str, str] = {}  # the first line of a job's file, not opened yet
        self._lock = threading.Lock()

    def path_for(self, job: JobView) -> Path:
        workflow = safe_name(Path(job.workflow_path).stem)
        return self.directory / workflow / f"{safe_name(job.instance_key)}.log"

    def _write(self, job: JobView, text: str, *, raising: bool = False) -> None:
        key = job.instance_key + "\0" + job.workflow_path
        with self._lock:
            if key in self._failed:
                return
            try:
                handle = self._files.get(key) or self._open(job, key)
                handle.write(text + "\n")
            except OSError as exc:
                self._fail(key)
                if raising:
                    raise OSError(exc.errno, exc.strerror, str(self.path_for(job))) from exc

    def _open(self, job: JobView, key: str) -> TextIO:
        path = self.path_for(job)
        private_directory(path.parent)
        fd = open_private(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        handle = os.fdopen(fd, "a", encoding="utf-8", errors="replace")
        self._files[key] = handle
        header = self._headers.pop(key, None)
        if header is not None:
            handle.write(header + "\n")
        return handle

    def _fail(self, key: str) -> None:
        self._failed.add(key)
        handle = self._files.pop(key, None)
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.close()

    def job_started(self, job: JobView) -> None:
        """The file is made by the job's first line, on the job's thread: the scheduler's
        thread, which starts a wave's jobs one after another, does not wait for it."""
        key = job.instance_key + "\0" + job.workflow_path
        with self._lock:
            self._headers[key] = f"=== {job.display_name}"

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        if record.error:
            self._write(job, f"error: {record.error}")
        self._write(job, f"=== {job.display_name}: {record.conclusion}")
        with self._lock:
            key = job.instance_key + "\0" + job.workflow_path
            handle = self._files.pop(key, None)
            self._headers.pop(key, None)
        if handle is not None:
            with contextlib.suppress(OSError):  # a full disk: what was written is kept
                handle.close()

    def step_started(self, job: JobView, index: int, name: str) -> None:
        self._write(job, f"--- step {index + 1}: {name}")

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        self._write(job, line, raising=True)

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        if lines:
            self._write(job, "\n".join(lines), raising=True)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        self._write(job, f"--- step {result.index + 1}: {result.name}: {result.conclusion}")

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        self._write(job, f"{annotation.level}: {annotation.message}")

    def message(self, text: str) -> None:
        return None

    def close(self) -> None:
        with self._lock:
            for handle in self._files.values():
                with contextlib.suppress(OSError):
                    handle.close()
            self._files.clear()
