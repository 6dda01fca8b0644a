"""Helpers for engine tests: workflows from YAML text, an in-memory workflow source, a
recording observer, and one call that plans and runs workflows on the FakeExecutor."""

from __future__ import annotations

import textwrap
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from conveyor.engine.planner import plan_workflow
from conveyor.engine.ports.observer import JobView
from conveyor.engine.records import JobRecord, RunRecord
from conveyor.engine.scope import RunScope, RunSettings
from conveyor.engine.session import RunRequest, RunSession
from conveyor.errors import PlanError
from conveyor.executors.fake import FakeExecutor
from conveyor.model.results import Annotation, StepResult
from conveyor.model.workflow import Workflow
from conveyor.workflow import load_workflow

T = TypeVar("T")


def workflow_from(text: str, path: str = ".github/workflows/test.yml") -> Workflow:
    result = load_workflow(path, textwrap.dedent(text), display_path=path)
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.workflow is not None
    return result.workflow


class DictSource:
    """A WorkflowSource over workflows given as YAML text, keyed by their `uses:` path."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self._files = {
            path: workflow_from(text, path.removeprefix("./")) for path, text in files.items()
        }

    def load(self, uses: str, caller: Workflow) -> Workflow:
        if uses not in self._files:
            raise PlanError(f"no such workflow {uses}")
        return self._files[uses]


@dataclass
class Recorder:
    """A RunObserver that keeps every call (thread-safe)."""

    events: list[tuple[str, str]] = field(default_factory=list)
    finished: dict[str, JobRecord] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_start: Callable[[Recorder, JobView], None] | None = None
    session: RunSession | None = None

    def job_started(self, job: JobView) -> None:
        with self.lock:
            self.events.append(("start", job.instance_key))
        if self.on_start is not None:
            self.on_start(self, job)

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        with self.lock:
            self.events.append(("finish", job.instance_key))
            self.finished[job.instance_key] = record

    def step_started(self, job: JobView, index: int, name: str) -> None:
        return None

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        return None

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        return None

    def step_finished(self, job: JobView, result: StepResult) -> None:
        return None

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        return None

    def message(self, text: str) -> None:
        with self.lock:
            self.messages.append(text)


@dataclass
class Outcome:
    record: RunRecord
    executor: FakeExecutor
    observer: Recorder
    session: RunSession

    def job(self, key: str) -> JobRecord:
        found = [job for job in self.record.jobs if job.view.instance_key == key]
        assert found, f"no job {key!r} in {[j.view.instance_key for j in self.record.jobs]}"
        return found[0]

    def conclusions(self) -> dict[str, str]:
        return {job.view.instance_key: str(job.conclusion) for job in self.record.jobs}

    def document(self, key: str):  # type: ignore[no-untyped-def]
        return next(d for d in self.executor.documents if d.instance_key == key)


def run_workflow(
    text: str,
    executor: FakeExecutor | None = None,
    *,
    called: Mapping[str, str] | None = None,
    only: Sequence[str] = (),
    parallel: int = 4,
    matrix_filter: Mapping[str, tuple[str, ...]] | None = None,
    github: Mapping[str, object] | None = None,
    inputs: Mapping[str, object] | None = None,
    secrets: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    observer: Recorder | None = None,
) -> Outcome:
    workflow = workflow_from(text)
    source = DictSource(called or {})
    plan = plan_workflow(workflow, source, only=only)
    scope = RunScope(
        run_id="1",
        workflow=workflow,
        github=dict(github or {"event_name": "push", "ref": "refs/heads/main", "workflow": "test"}),
        inputs=dict(inputs or {}),
        secrets=dict(secrets or {}),
        vars=dict(variables or {}),
        env=dict(env or {}),
        masks=tuple((secrets or {}).values()),
    )
    settings = RunSettings(
        repository="/repo", sha="abc", parallel=parallel, matrix_filter=dict(matrix_filter or {})
    )
    executor = executor or FakeExecutor()
    observer = observer or Recorder()
    session = RunSession(executor, observer, settings, poll_interval=0.01, hard_stop_grace=2.0)
    observer.session = session
    record = session.execute([RunRequest(plan, scope)])
    return Outcome(record, executor, observer, session)


# ---- synchronising with a run on other threads -------------------------------------------------

BOUND = 10.0  # a test waits this long at most for what it expects, then fails


class When:
    """Runs `action` on a thread as soon as `condition` holds (polled). If it never does
    within `bound` seconds, or `action` raises, `unblock` runs instead (so the run the test waits
    for ends rather than hanging) and `check()` fails the test."""

    def __init__(
        self,
        condition: Callable[[], bool],
        action: Callable[[], object],
        unblock: Callable[[], object],
        bound: float = BOUND,
    ) -> None:
        self.failures: list[str] = []
        self._bound = bound
        self._thread = threading.Thread(
            target=self._run, args=(condition, action, unblock), daemon=True
        )
        self._thread.start()

    def _run(
        self,
        condition: Callable[[], bool],
        action: Callable[[], object],
        unblock: Callable[[], object],
    ) -> None:
        deadline = time.monotonic() + self._bound
        while not condition():
            if time.monotonic() > deadline:
                self.failures.append(f"the condition did not hold within {self._bound} s")
                unblock()
                return
            time.sleep(0.002)
        try:
            action()
        except BaseException as exc:
            self.failures.append(f"the action failed: {exc!r}")
            unblock()

    def check(self) -> None:
        self._thread.join(self._bound)
        assert not self._thread.is_alive(), "the action never ran"
        assert self.failures == []


def bounded(call: Callable[[], T], bound: float = BOUND) -> T:
    """`call()`, failing the test after `bound` seconds instead of hanging."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(call())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(bound)
    assert not thread.is_alive(), f"still running after {bound} s"
    if errors:
        raise errors[0]
    return results[0]
