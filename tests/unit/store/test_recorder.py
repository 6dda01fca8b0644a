from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from conveyor.engine.ports.observer import JobView
from conveyor.engine.ports.store import LogKey, NewJob, RunStatus
from conveyor.engine.records import JobRecord
from conveyor.errors import StoreError
from conveyor.model.results import Annotation, AnnotationLevel, Conclusion, StepResult
from conveyor.store import RunRecorder, StoreHandle, StoreReporter
from conveyor.store.fake import FakeLogStore, FakeRunStore
from conveyor.store.step_summaries import read_summary
from tests.unit.store.conftest import new_run


class Display:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def job_started(self, job: JobView) -> None:
        self.calls.append("job_started")

    def job_finished(self, job: JobView, record: JobRecord) -> None:
        self.calls.append("job_finished")

    def step_started(self, job: JobView, index: int, name: str) -> None:
        self.calls.append("step_started")

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        self.calls.append("log_line")

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        self.calls.append(f"log_lines {len(lines)}")

    def step_finished(self, job: JobView, result: StepResult) -> None:
        self.calls.append("step_finished")

    def annotation(self, job: JobView, annotation: Annotation) -> None:
        self.calls.append("annotation")

    def message(self, text: str) -> None:
        self.calls.append("message")


def test_the_observer_records_a_whole_run_and_tells_the_display(store: StoreHandle) -> None:
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    assert run.status is RunStatus.IN_PROGRESS
    display = Display()
    observer = recorder.observer(display)
    view = JobView(str(run.id), "ci.yml", "CI", "build", "build", "Build", {"os": "linux"})
    observer.job_started(view)
    observer.log_line(view, None, "Set up job")
    observer.step_started(view, 0, "Compile")
    observer.log_line(view, 0, "gcc -c a.c")
    observer.annotation(view, Annotation(AnnotationLevel.WARNING, "unused variable"))
    step = StepResult(0, "Compile", Conclusion.SUCCESS, Conclusion.SUCCESS)
    observer.step_finished(view, step)
    observer.message("hello")
    observer.job_finished(
        view, JobRecord(view, Conclusion.SUCCESS, outputs={"x": "1"}, steps=(step,))
    )
    done = recorder.finish(run.id, Conclusion.SUCCESS)
    assert done.conclusion is Conclusion.SUCCESS
    (job,) = store.runs.list_jobs(run.id)
    assert (job.name, job.conclusion, job.outputs, job.matrix) == (
        "Build",
        Conclusion.SUCCESS,
        {"x": "1"},
        {"os": "linux"},
    )
    assert [s.name for s in store.runs.list_steps(run.id, 1, "build")] == ["Compile"]
    assert store.logs.read(LogKey(run.id, 1, "build", 0)).text == "gcc -c a.c\n"
    assert store.logs.read(LogKey(run.id, 1, "build")).text == "Set up job\n"
    assert [a.message for a in store.runs.list_annotations(run.id)] == ["unused variable"]
    assert display.calls == [
        "job_started",
        "log_line",
        "step_started",
        "log_line",
        "annotation",
        "step_finished",
        "message",
        "job_finished",
    ]


def test_lines_reported_together_are_stored_in_order_between_single_lines(
    store: StoreHandle,
) -> None:
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    display = Display()
    observer = recorder.observer(display)
    view = JobView(str(run.id), "ci.yml", "CI", "build", "build", "Build")
    observer.step_started(view, 0, "Test")
    observer.log_line(view, 0, "first")
    observer.log_lines(view, 0, ["two", "three\n", "four"])
    observer.log_lines(view, 0, [])
    observer.log_line(view, 0, "last")
    observer.step_finished(view, StepResult(0, "Test", Conclusion.SUCCESS, Conclusion.SUCCESS))
    recorder.reporter(run.id).flush()
    text = store.logs.read(LogKey(run.id, 1, "build", 0)).text
    assert text == "first\ntwo\nthree\nfour\nlast\n"  # as many log_line calls would
    assert display.calls == [
        "step_started",
        "log_line",
        "log_lines 3",
        "log_lines 0",
        "log_line",
        "step_finished",
    ]


def test_a_job_that_never_started_is_still_recorded(store: StoreHandle) -> None:
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    view = JobView(str(run.id), "ci.yml", "CI", "deploy", "deploy", "deploy")
    recorder.observer().job_finished(view, JobRecord(view, Conclusion.SKIPPED, environment="prod"))
    recorder.reporter(run.id).flush()  # writes are queued; flush waits until they are stored
    (job,) = store.runs.list_jobs(run.id)
    assert (job.conclusion, job.environment) == (Conclusion.SKIPPED, "prod")


def test_a_jobs_step_summary_is_kept_for_the_web_ui(store: StoreHandle) -> None:
    recorder = RunRecorder(store.runs, store.logs)
    run = recorder.begin(new_run())
    view = JobView(str(run.id), "ci.yml", "CI", "build", "build", "build")
    record = JobRecord(view, Conclusion.SUCCESS, summary="## Coverage\n\n93%\n")
    recorder.observer().job_finished(view, record)
    recorder.reporter(run.id).flush()
    assert read_summary(store.logs, run.id, 1, "build") == "## Coverage\n\n93%\n"


def test_steps_that_start_and_end_in_one_burst_keep_their_start_times(
    store: StoreHandle,
) -> None:
    run = store.runs.create_run(new_run())
    reporter = StoreReporter(store.runs, store.logs, run.id, 1)
    gate = threading.Event()
    reporter._put(gate.wait)  # hold the writer so that all of it is one burst
    for index in range(3):
        reporter.step_started("build", index, f"step {index}")
        result = StepResult(index, f"step {index}", Conclusion.SUCCESS, Conclusion.SUCCESS)
        reporter.step_finished("build", result)
    reporter.step_started("build", 3, "still running")
    gate.set()
    reporter.flush()
    steps = store.runs.list_steps(run.id, 1, "build")
    assert [(s.name, s.status) for s in steps] == [
        ("step 0", RunStatus.COMPLETED),
        ("step 1", RunStatus.COMPLETED),
        ("step 2", RunStatus.COMPLETED),
        ("still running", RunStatus.IN_PROGRESS),
    ]
    assert all(s.started_at is not None for s in steps)
    assert all(s.started_at <= s.finished_at for s in steps[:3])  # type: ignore[operator]
    reporter.close()


class FailingRuns(FakeRunStore):
    def start_step(self, *args: object) -> None:
        raise RuntimeError("disk full")


def test_a_failed_background_write_surfaces_on_flush_as_a_store_error() -> None:
    runs = FailingRuns()
    run = runs.create_run(new_run())
    reporter = StoreReporter(runs, FakeLogStore(), run.id, 1)
    reporter.step_started("a", 0, "x")
    with pytest.raises(StoreError, match="disk full"):
        reporter.flush()
    reporter.step_finished("a", StepResult(0, "x", Conclusion.SUCCESS, Conclusion.SUCCESS))
    reporter.close()  # the writer survived the error
    reporter.close()
    assert runs.list_steps(run.id, 1, "a")[0].conclusion is Conclusion.SUCCESS


def test_queued_writes_share_a_transaction_and_one_failure_loses_no_other(
    store: StoreHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = store.runs.create_run(new_run())
    reporter = StoreReporter(store.runs, store.logs, run.id, 1)
    original = store.runs.add_annotation

    def flaky(run_id: int, attempt: int, key: str, note: Annotation) -> None:
        if note.message == "bad":
            raise StoreError("cannot store this one")
        original(run_id, attempt, key, note)

    monkeypatch.setattr(store.runs, "add_annotation", flaky)
    gate = threading.Event()
    reporter._put(gate.wait)  # hold the writer so what follows is queued together
    for index in range(5):
        reporter.step_started("a", index, f"s{index}")
    reporter.annotation("a", Annotation(AnnotationLevel.ERROR, "bad"))
    reporter.annotation("a", Annotation(AnnotationLevel.NOTICE, "good"))
    gate.set()
    with pytest.raises(StoreError, match="cannot store this one"):
        reporter.flush()
    reporter.close()
    assert len(store.runs.list_steps(run.id, 1, "a")) == 5
    assert [a.message for a in store.runs.list_annotations(run.id)] == ["good"]


class FullDiskLogs(FakeLogStore):
    def append(self, key: LogKey, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_lines_that_could_not_be_written_make_a_successful_run_a_failure() -> None:
    runs = FakeRunStore()
    recorder = RunRecorder(runs, FullDiskLogs())
    run = recorder.begin(new_run())
    recorder.reporter(run.id).log_line("a", None, "lost")
    done = recorder.finish(run.id, Conclusion.SUCCESS)
    assert done.conclusion is Conclusion.FAILURE  # recorded, not left to be swept as abandoned
    assert "could not be written" in str(done.reason)
    assert "No space left on device" in str(done.reason)


class FullForAWhile(FakeRunStore):
    def __init__(self) -> None:
        super().__init__()
        self.refusals = 2

    def finish_run(self, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self.refusals:
            self.refusals -= 1
            raise StoreError("cannot use the database x: database or disk is full")
        return super().finish_run(*args, **kwargs)  # type: ignore[arg-type]


def test_the_conclusion_waits_for_space_to_come_back() -> None:
    runs = FullForAWhile()
    recorder = RunRecorder(runs, FakeLogStore())
    run = recorder.begin(new_run())
    assert recorder.finish(run.id, Conclusion.FAILURE).conclusion is Conclusion.FAILURE
    assert runs.refusals == 0


def test_a_jobs_step_files_are_made_before_its_first_step_not_on_the_schedulers_thread(
    store: StoreHandle,
) -> None:
    """`job_started` comes from the scheduler's thread, which starts a wave's jobs one after
    another: it makes no file. The job's step files (with their reserve of disk, for a step
    that fills it) exist once its first step is announced, before that step's process starts."""
    from conveyor.store.job_log import DATA_FILE, INDEX_FILE, RESERVE
    from conveyor.store.logs import FileLogStore

    assert isinstance(store.logs, FileLogStore)
    run = store.runs.create_run(new_run())
    reporter = StoreReporter(store.runs, store.logs, run.id, 1)
    directory = store.logs.job_dir(run.id, 1, "a")
    gate = threading.Event()
    reporter._put(gate.wait)  # hold the writer: whatever exists below, the caller made
    try:
        reporter.start_job(NewJob("a", "a", "a", status=RunStatus.IN_PROGRESS))
        assert not directory.exists()
        reporter.step_started("a", 0, "first")
        for name in (DATA_FILE, INDEX_FILE):
            assert (directory / name).stat().st_size >= RESERVE
    finally:
        gate.set()
        reporter.close()
