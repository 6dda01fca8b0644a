"""One observer that forwards every call to several (the display and the log files)."""

from __future__ import annotations

from collections.abc import Sequence

from conveyor.engine.ports.observer import JobView, RunObserver
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, StepResult


class Fanout:
    def __init__(self, observers: Sequence[RunObserver]) -> None:
        self._observers = tuple(observers)

    def job_started(self, job: JobView) -> None:
        for observer in self._observers:
            observer.job_started(job)

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        for observer in self._observers:
            observer.job_finished(job, record)

    def step_started(self, job: JobView, index: int, name: str) -> None:
        for observer in self._observers:
            observer.step_started(job, index, name)

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        for observer in self._observers:
            observer.log_line(job, index, line)

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        for observer in self._observers:
            observer.log_lines(job, index, lines)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        for observer in self._observers:
            observer.step_finished(job, result)

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        for observer in self._observers:
            observer.annotation(job, annotation)

    def message(self, text: str) -> None:
        for observer in self._observers:
            observer.message(text)
