"""On a terminal: a live table of jobs and their steps, with the last lines of each running
step (lines inside a `::group::` are folded under the group's title)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from conveyor.cli.display.log_lines import classify
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord
from conveyor.model.results import Annotation, Conclusion, StepResult

TAIL_LINES = 4
_ICONS = {
    Conclusion.SUCCESS: ("✔", "green"),
    Conclusion.FAILURE: ("✘", "red"),
    Conclusion.CANCELLED: ("⊘", "yellow"),
    Conclusion.SKIPPED: ("↷", "dim"),
}


@dataclass(slots=True)
class _JobLine:
    view: JobView
    started: float | None = None
    finished: float | None = None
    conclusion: Conclusion | None = None
    step: str = ""
    steps_done: int = 0
    group: str | None = None
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))


class LiveDisplay:
    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self._console = console
        self._verbose = verbose
        self._jobs: dict[tuple[str, str], _JobLine] = {}
        self._lock = threading.Lock()
        self._live = Live(console=console, refresh_per_second=8, get_renderable=self._render)

    def start(self) -> None:
        self._live.start()

    def stop(self) -> None:
        self._live.stop()

    def _job(self, view: JobView) -> _JobLine:
        key = (view.workflow_path, view.instance_key)
        line = self._jobs.get(key)
        if line is None:
            line = self._jobs[key] = _JobLine(view)
        return line

    def job_started(self, job: JobView) -> None:
        with self._lock:
            self._job(job).started = time.monotonic()

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        with self._lock:
            line = self._job(job)
            line.finished = time.monotonic()
            line.conclusion = record.conclusion
            line.tail.clear()

    def step_started(self, job: JobView, index: int, name: str) -> None:
        with self._lock:
            line = self._job(job)
            line.step, line.group = name, None
            line.tail.clear()

    def log_line(self, job: JobView, index: int | None, text: str) -> None:
        parsed = classify(text)
        with self._lock:
            line = self._job(job)
            if parsed.kind == "group":
                line.group = parsed.text
                line.tail.append(parsed.rendered())
            elif parsed.kind == "endgroup":
                line.group = None
            elif line.group is None and (parsed.kind != "debug" or self._verbose):
                line.tail.append(parsed.rendered())

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        for text in lines:
            self.log_line(job, index, text)

    def step_finished(self, job: JobView, result: StepResult) -> None:
        with self._lock:
            self._job(job).steps_done += 1

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        return None

    def message(self, text: str) -> None:
        self._live.console.print(f"conveyor: {text}")

    def _render(self) -> RenderableType:
        with self._lock:
            rows = list(self._jobs.values())
        table = Table.grid(padding=(0, 1))
        table.add_column(width=2)
        table.add_column(ratio=1)
        table.add_column(justify="right")
        now = time.monotonic()
        for row in rows:
            table.add_row(_icon(row), _title(row), _elapsed(row, now))
            if row.conclusion is None and row.started is not None:
                for tail in list(row.tail):
                    line = Text(f"  │ {tail}"[:200], style="dim", no_wrap=True, overflow="ellipsis")
                    table.add_row("", line, "")
        return Group(table)


def _icon(row: _JobLine) -> Text:
    if row.conclusion is not None:
        icon, style = _ICONS[row.conclusion]
        return Text(icon, style=style)
    return Text("●" if row.started is not None else "○", style="cyan")


def _title(row: _JobLine) -> Text:
    text = Text(f"{row.view.workflow_name} / {row.view.display_name}")
    if row.conclusion is None and row.step:
        text.append(f"  ▸ {row.step}", style="bold")
    return text


def _elapsed(row: _JobLine, now: float) -> str:
    if row.started is None:
        return ""
    end = row.finished if row.finished is not None else now
    return f"{end - row.started:.1f}s"
