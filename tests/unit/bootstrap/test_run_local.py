"""One entry point for a local run (`conveyor.bootstrap.run.run_local`): `conveyor run` and
`conveyor rerun` both go through it; real git, real step processes, a private CONVEYOR_HOME."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from conveyor.bootstrap.local_options import LocalRunOptions
from conveyor.bootstrap.local_run import PreparedRun, prepare_run
from conveyor.bootstrap.recording import RerunTarget
from conveyor.bootstrap.rerun_options import rerun_options
from conveyor.bootstrap.run import run_local
from conveyor.bootstrap.settings import Settings
from conveyor.engine.ports.observer import JobView
from conveyor.engine.ports.store import RunQuery
from conveyor.engine.records import JobRecord, RunRecord
from conveyor.model.results import Annotation, Conclusion, StepResult
from conveyor.store import opened_store
from conveyor.store.location import DatabaseSettings

HELLO = """\
on: push
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello from ${{ github.event.head_commit.message }}"
"""


def make_repo(root: Path) -> Path:
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "hello.yml").write_text(HELLO, encoding="utf-8")
    author = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], [*author, "commit", "-qm", "first"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


class Lines:
    """A RunObserver that keeps the step log lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def job_started(self, job: JobView) -> None: ...
    def job_finished(self, job: JobView, record: JobRecord) -> None: ...
    def step_started(self, job: JobView, index: int, name: str) -> None: ...
    def step_finished(self, job: JobView, result: StepResult) -> None: ...
    def annotation(self, job: JobView, annotation: Annotation) -> None: ...
    def message(self, text: str) -> None: ...

    def log_line(self, job: JobView, index: int | None, line: str) -> None:
        self.lines.append(line)

    def log_lines(self, job: JobView, index: int | None, lines: Sequence[str]) -> None:
        self.lines.extend(lines)


class Display:
    """A RunDisplay that remembers what it was shown."""

    def __init__(self) -> None:
        self.observer = Lines()
        self.calls: list[str] = []

    def prepared(self, prepared: PreparedRun) -> None:
        self.calls.append(f"prepared {len(prepared.requests)}")

    @contextmanager
    def running(self, cancel: Callable[[], None]) -> Iterator[None]:
        self.calls.append("running")
        yield

    def finished(self, record: RunRecord) -> None:
        self.calls.append(f"finished {record.conclusion}")


def test_run_local_runs_records_and_returns_the_record(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    display = Display()
    record = run_local(LocalRunOptions(repository=repo, home=tmp_path / "home"), display)
    assert record.conclusion is Conclusion.SUCCESS
    assert display.calls == ["prepared 1", "running", "finished success"]
    assert "hello from first" in display.observer.lines
    with opened_store(tmp_path / "home") as store:
        (run,) = store.runs.list_runs(RunQuery())
    assert run.conclusion is Conclusion.SUCCESS


def test_the_run_is_recorded_where_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is opened with `Settings.home` and `Settings.database`, not the environment."""
    monkeypatch.setenv("CONVEYOR_DATABASE_URL", "postgresql://nowhere.invalid/db")
    monkeypatch.setenv("CONVEYOR_HOME", str(tmp_path / "not-this-home"))
    repo, home, elsewhere = make_repo(tmp_path / "repo"), tmp_path / "home", tmp_path / "db"
    url = f"sqlite:///{elsewhere / 'runs.db'}"
    settings = Settings(home=home, parallel=1, database=DatabaseSettings(url=url, timeout=5))
    record = run_local(LocalRunOptions(repository=repo), Display(), settings=settings)
    assert record.conclusion is Conclusion.SUCCESS
    with opened_store(home, database=DatabaseSettings(url=url)) as store:
        (run,) = store.runs.list_runs(RunQuery())
    assert run.conclusion is Conclusion.SUCCESS
    assert not (tmp_path / "not-this-home").exists()
    assert not (home / "conveyor.db").exists()


def test_a_prepared_run_is_a_value(tmp_path: Path) -> None:
    prepared = prepare_run(LocalRunOptions(repository=make_repo(tmp_path / "repo")))
    assert isinstance(prepared.requests, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.requests = ()  # type: ignore[misc]


def test_a_rerun_reads_the_stored_event_with_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    home = tmp_path / "home"
    run_local(LocalRunOptions(repository=repo, home=home), Display())
    monkeypatch.setattr(tempfile, "mkstemp", _no_temporary_files)
    with opened_store(home) as store:
        (run,) = store.runs.list_runs(RunQuery())
        request = store.runs.run_request(run.id)
        assert request is not None
        options = rerun_options(request, {}, home=home)
        assert options.event_payload == request.event_payload
        assert options.revision == run.sha
        display = Display()
        again = run_local(options, display, rerun=RerunTarget(run.id), store=store)
        assert again.conclusion is Conclusion.SUCCESS
        assert "hello from first" in display.observer.lines
        assert store.runs.get_run(run.id).attempt == 2  # type: ignore[union-attr]


def _no_temporary_files(*args: object, **kwargs: object) -> tuple[int, str]:
    raise AssertionError("a rerun writes no temporary event file")


def test_in_the_daemons_child_the_store_closes_after_the_result(tmp_path: Path) -> None:
    """Closing checkpoints SQLite's WAL into the database (fsyncs, 1-15 ms): after the result
    is out when it may wait (after_result). The run is stored for good before: its conclusion
    was committed with synchronous=FULL."""
    from conveyor.bootstrap import after_result

    repo, home = make_repo(tmp_path / "repo"), tmp_path / "home"
    run_local(LocalRunOptions(repository=repo, home=home), Display())  # the store exists now
    after_result.defer()
    try:
        record = run_local(LocalRunOptions(repository=repo, home=home), Display())
        assert record.conclusion is Conclusion.SUCCESS
        assert (home / "conveyor.db-wal").exists()  # still open: not checkpointed yet
        other = sqlite3.connect(home / "conveyor.db")
        try:
            stored = other.execute("SELECT conclusion FROM runs ORDER BY id").fetchall()
        finally:
            other.close()
        assert stored == [("success",), ("success",)]
        after_result.finish()
        assert not (home / "conveyor.db-wal").exists()
    finally:
        after_result.reset()
